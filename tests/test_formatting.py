"""The narrative subset (portal/formatting.py): each mark, and everything else shown
exactly as typed. Expected HTML is written out by hand."""

from __future__ import annotations

import pytest

from portal.formatting import narrative_html


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("", ""),
        ("Just words.", "<p>Just words.</p>"),
        ("**Bold** and _soft_ and *also soft*",
         "<p><strong>Bold</strong> and <em>soft</em> and <em>also soft</em></p>"),
        ("One\ntwo\n\nThree", "<p>One<br>two</p><p>Three</p>"),
        ("- a\n- b\n* c", "<ul><li>a</li><li>b</li><li>c</li></ul>"),
        ("1. a\n2) b", "<ol><li>a</li><li>b</li></ol>"),
        ("Key points:\n- a\n- b\nThen more.",
         "<p>Key points:</p><ul><li>a</li><li>b</li></ul><p>Then more.</p>"),
        ("[Plan](https://x.example/a_b_c?q=1&r=2)",
         '<p><a href="https://x.example/a_b_c?q=1&amp;r=2">Plan</a></p>'),
        ("[Email us](mailto:team@council.example)",
         '<p><a href="mailto:team@council.example">Email us</a></p>'),
        ("[**Bold** link](https://x.example)",
         '<p><a href="https://x.example"><strong>Bold</strong> link</a></p>'),
    ],
)  # fmt: skip
def test_each_mark(typed: str, shown: str) -> None:
    assert narrative_html(typed) == shown


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("snake_case_name and a.b_c@council.example",
         "<p>snake_case_name and a.b_c@council.example</p>"),
        ("2*3*4 = 24 and 5 * 6", "<p>2*3*4 = 24 and 5 * 6</p>"),
        ("<b>typed tags</b> & <script>x</script>",
         "<p>&lt;b&gt;typed tags&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;</p>"),
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
        ('[x](https://a.example/"onmouseover=alert(1))',
         '<p>[x](https://a.example/"onmouseover=alert(1))</p>'),
        ("** not bold **", "<p>** not bold **</p>"),
        ("-not a list", "<p>-not a list</p>"),
        ("{{7*7}}", "<p>{{7*7}}</p>"),
    ],
)  # fmt: skip
def test_what_is_not_a_mark_is_shown_as_typed(typed: str, shown: str) -> None:
    assert narrative_html(typed) == shown
