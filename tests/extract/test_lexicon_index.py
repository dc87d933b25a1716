"""The alias index behind lexicon lookups picks what trying every rule in turn picks."""

import random

from cnfiscal.extract.prose import lexicon as lx


def test_alias_index_agrees_with_rule_scan():
    aliases = [a for r in lx.item_rules() for a in lx._rule_aliases(r)]
    rng = random.Random(7)
    labels = {
        "".join(
            rng.choice(aliases)[rng.randint(0, 2) :] + rng.choice(["", "的", "情况", "总额"])
            for _ in range(rng.randint(1, 3))
        )
        for _ in range(1500)
    }
    contexts = [None, "expenditure", "income", "three_public", "assets", "staffing"]
    for label in labels:
        for context in contexts:
            for only in (None, lx.strong_statement(label)):
                assert lx._best_rule(label, context, only, False) == lx._best_rule_scan(
                    label, context, only, False
                )
                got = lx._best_rule(label, context, only, True)
                want = lx._best_rule_scan(label, context, only, True)
                # the containment fallback uses only aliases of 3+ characters
                assert (got if got and got[0] >= 3 else None) == (
                    want if want and want[0] >= 3 else None
                )
