"""Paper forms: numbered questions, routing in words that agrees with the skip rules."""

from __future__ import annotations

import pandas as pd

from toolkit import forms, load_instrument


def test_paper_form_numbers_questions_and_routes_in_words():
    inst = load_instrument("dis-full")
    numbers = forms.question_numbers(inst)
    page = forms.paper_html(inst, lang="en")
    assert list(numbers.values()) == list(range(1, len(inst.items) + 1))
    for n in numbers.values():  # each question printed with its number, in order
        assert f'<div class="q" id="q{n}">\n<div class="qtext"><span class="num">{n}.</span>' in page
    starts = [page.index(f'id="q{n}"') for n in numbers.values()]
    assert starts == sorted(starts)
    assert page.count('class="box"') == sum(
        len(inst.response_sets[it.response_set].codes) + 3 for it in inst.items if it.response_set)
    # the non-user skips the usage question that follows; the exempt skip the Digital Post questions
    assert f"If “No”, go to question {numbers['eid']}." in page
    assert f"If “Yes”, go to question {numbers['prac_01']}." in page
    assert f"Answer only if question {numbers['help_any']} is “Yes”." in page
    assert "@media print" in page and "dis-full 1.0.0" in page
    da = forms.paper_html(inst, lang="da")
    assert f"Hvis “Nej”, gå til spørgsmål {numbers['eid']}." in da
    assert 'lang="da"' in da and inst.item("prac_01").text["da"] in da


def test_routing_agrees_with_the_skip_rules():
    inst = load_instrument("dis-full")
    numbers = forms.question_numbers(inst)
    order = inst.item_ids
    for gate, route in forms.paper._routes(inst, numbers).items():
        for code, target in route.items():
            frame = pd.DataFrame({gate: [float(code)]})
            skipped = order[order.index(gate) + 1: numbers[order[target - 1]] - 1] if target else []
            for iid in skipped:
                if inst.item(iid).rule is not None and inst.item(iid).rule.variables() == {gate}:
                    assert not inst.relevant(frame, iid).item(), (gate, code, iid)
