"""The HTML report: one self-contained file (styles, script and data inline; no external asset),
for the instructor only.

It lists the reported pairs, flagged first then by score, with the shared fraction of every
answer cell; a click on a pair opens the side-by-side view of the two notebooks' cells with the
matched regions highlighted in each student's original source (and what both share with the
reference solution or most of the class in a paler colour). Skipped inputs and cells that were
not compared are listed with the reason.
"""

from __future__ import annotations

import html
import json

from .results import PairResult, SimilarityReport
from .sources import COMPARED, WRITTEN_ANSWERS


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _score_cell(score: float | None, flagged: bool) -> str:
    if score is None:
        return '<td class="na" title="not answered by both">&ndash;</td>'
    level = min(9, int(score * 10))
    flag = " flag" if flagged else ""
    return f'<td class="s s{level}{flag}">{score:.2f}</td>'


def _pair_row(rank: int, pair: PairResult) -> str:
    cells = "".join(
        _score_cell(pair.items[item].score if item in pair.items else None, pair.items[item].flagged)
        if item in pair.items
        else _score_cell(None, False)
        for item in COMPARED
    )
    copied_text = any(pair.items[w].flagged for w in WRITTEN_ANSWERS if w in pair.items)
    cells += _score_cell(pair.written, copied_text).replace('<td class="', '<td class="written ', 1)
    flag = '<span class="badge">flagged</span>' if pair.flagged else ""
    return (
        f'<tr class="pair{" flagged" if pair.flagged else ""}" data-pair="{rank - 1}" tabindex="0">'
        f'<td class="rank">{rank}</td><td class="who"><a href="#pair-{rank - 1}">{_esc(pair.a)}</a></td>'
        f'<td class="who">{_esc(pair.b)}</td><td class="score">{pair.score:.2f} {flag}</td>'
        f'<td class="num">{pair.shared:g}</td>{cells}</tr>'
    )


def _data(report: SimilarityReport) -> str:
    used = {label for p in report.pairs for label in (p.a, p.b)}
    data = {
        "items": list(COMPARED + WRITTEN_ANSWERS),
        "written": list(WRITTEN_ANSWERS),
        "entries": {
            label: {"path": str(e.path), "cells": e.cells, "notes": e.notes, "known": e.known}
            for label, e in report.entries.items()
            if label in used
        },
        "pairs": [
            {
                "a": p.a,
                "b": p.b,
                "score": round(p.score, 4),
                "written": None if p.written is None else round(p.written, 4),
                "flagged": p.flagged,
                "items": {
                    item: {
                        "score": round(s.score, 4),
                        "fa": round(s.fraction_a, 4),
                        "fb": round(s.fraction_b, 4),
                        "shared": s.shared,
                        "flagged": s.flagged,
                        "ma": p.regions[item].matched_a if item in p.regions else [],
                        "mb": p.regions[item].matched_b if item in p.regions else [],
                        "ca": p.regions[item].common_a if item in p.regions else [],
                        "cb": p.regions[item].common_b if item in p.regions else [],
                    }
                    for item, s in p.items.items()
                },
            }
            for p in report.pairs
        ],
    }
    # Inside <script>, "</script" would end the element and "<!--" change how it is parsed: every
    # "<" (and ">", "&") is written as a JSON escape, which parses back to the same text.
    text = json.dumps(data, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _table(heads: tuple[str, ...], rows: str) -> str:
    if not rows:
        return "<p>None.</p>"
    th = "".join(f"<th>{h}</th>" for h in heads)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{rows}</tbody></table>"


def _notes(report: SimilarityReport) -> str:
    """Cells not compared, counted per cell and reason, with the inputs in a fold."""
    groups: dict[tuple[str, str], list[str]] = {}
    for label, e in sorted(report.entries.items()):
        for item, why in e.notes.items():
            groups.setdefault((item, why), []).append(label)
    if not groups:
        return "<p>None.</p>"
    rows = "".join(
        f"<tr><td>{_esc(item)}</td><td>{_esc(why)}</td><td>{len(who)}</td>"
        f"<td><details><summary>who</summary>{_esc(', '.join(who))}</details></td></tr>"
        for (item, why), who in sorted(groups.items())
    )
    return (
        f"<table><thead><tr><th>cell</th><th>why</th><th>inputs</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
    )


def to_html(report: SimilarityReport) -> str:
    st = report.settings
    submissions = sum(not e.known for e in report.entries.values())
    known = len(report.entries) - submissions
    heads = "".join(f'<th class="item" title="{_esc(i)}">{_esc(i)}</th>' for i in COMPARED)
    heads += (
        '<th class="item" title="written answers: '
        + _esc(", ".join(WRITTEN_ANSWERS))
        + " (normalised text, the questions' own words left out)\">written answers</th>"
    )
    rows = "\n".join(_pair_row(n, p) for n, p in enumerate(report.pairs, 1)) or (
        f'<tr><td colspan="{6 + len(COMPARED)}">No pair shares enough code to be reported.</td></tr>'
    )
    rule = st.rule
    world = f"{st.background_documents} public solutions" if st.background_documents else "no background corpus"
    skipped = "\n".join(f"<tr><td>{_esc(s.path)}</td><td>{_esc(s.reason)}</td></tr>" for s in report.skipped)
    common = ", ".join(f"{item} {n}" for item, n in report.common.items() if n) or "none"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Similarity report: two_layer_net</title>
<style>{CSS}</style></head>
<body>
<header>
<h1>Similarity report: two_layer_net</h1>
<p class="private">For instructors only: never hand this report, or any part of it, to students.
A high score is a reason to look, not a verdict.</p>
<p id="summary">{submissions} submission(s){f" and {known} known solution(s)" if known else ""};
{report.compared_pairs:,} pairs compared in {report.seconds:.1f} s;
<strong>{len(report.flagged)} flagged</strong> (at least {rule.min_cells} cells scoring &ge; {st.threshold:g}
with {rule.min_shared:g} shared weight between them, one cell with {rule.min_alone:g}, or written answers
scoring &ge; {rule.written_threshold:g}); {len(report.pairs)} pair(s) listed;
{len(report.skipped)} input(s) skipped.</p>
<details><summary>How to read a score</summary>
<p>A cell's score is the share of the smaller cell's distinctive fingerprints (runs of {st.k} normalised
tokens: names and literals made equal, comments, docstrings and layout dropped) that the other cell has too.
The release notebook's starter code never counts; a fingerprint that n public solutions also have
counts 1/(1 + n) ({world}, and the known solutions given); what the reference solution also has counts
{st.reference_weight:g} of that; what at least {st.common_fraction:.0%} of a class of {st.min_class_for_common}
or more share does not count (common here: {_esc(common)}). The notebook score is the same share over every
cell both answered. A pair is flagged on evidence across cells (each scoring at least {st.threshold:g} with
{rule.cell_evidence:g} shared), or a long run of rare code in one cell, so a short canonical cell never flags a
pair on its own. The written answers are compared as text, the questions' own words left out.
See docs/similarity.md.</p></details>
</header>
<main>
<section id="pairs"><h2>Pairs, most similar first</h2>
<table class="pairs"><thead><tr><th>#</th><th>a</th><th>b</th><th>notebook</th>
<th title="shared weight of fingerprints over the notebook's code">shared</th>{heads}</tr></thead>
<tbody>
{rows}
</tbody></table></section>
<section id="view" hidden><h2 id="view-title"></h2><p id="view-summary"></p><div id="view-cells"></div>
<p><a href="#pairs" id="back">Back to the list</a></p></section>
<section id="skipped"><h2>Skipped inputs</h2>
{_table(("file", "why"), skipped)}
</section>
<section id="notes"><h2>Cells not compared</h2>
{_notes(report)}
</section>
</main>
<script type="application/json" id="data">{_data(report)}</script>
<script>{SCRIPT}</script>
</body></html>
"""


CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 1.5em 2em;color:#222}
h1{font-size:1.5em;margin:.8em 0 .2em}h2{font-size:1.2em;margin:1.2em 0 .4em}
.private{color:#8a1c1c;font-weight:600}
table{border-collapse:collapse}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left}
th.item{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:500;white-space:nowrap}
table.pairs tr.pair{cursor:pointer}table.pairs tr.pair:hover,tr.pair:focus{outline:2px solid #3b6fd1}
tr.flagged td.rank{border-left:4px solid #c0392b}
td.num,td.rank,td.s{text-align:right;font-variant-numeric:tabular-nums}td.na{color:#bbb;text-align:center}
td.s0,td.s1,td.s2{background:#fff}td.s3,td.s4{background:#fdf2e0}td.s5{background:#fbe3bf}
td.s6,td.s7{background:#f6c28b}td.s8,td.s9{background:#ee9a6a}td.flag{font-weight:700;outline:2px solid #c0392b}
.badge{background:#c0392b;color:#fff;border-radius:3px;padding:0 4px;font-size:.8em}
.cell{margin:1em 0 1.5em}.cell h3{font-size:1em;margin:.2em 0}
.side{display:grid;grid-template-columns:1fr 1fr;gap:10px}
.side pre{margin:0;padding:6px;background:#fafafa;border:1px solid #ddd;overflow:auto;font-size:12px;
max-height:32em;white-space:pre}
.side .who{font-weight:600;margin-bottom:2px;font-size:.9em}
.cell.written pre{white-space:pre-wrap;font-family:inherit;font-size:13px}td.written{border-left:2px solid #999}
mark.m{background:#ffd54a}mark.c{background:#e4e9f1}.note{color:#666;font-style:italic}
.legend mark{padding:0 4px}
"""

SCRIPT = r"""
(function(){
const data=JSON.parse(document.getElementById('data').textContent);
const view=document.getElementById('view'),list=document.getElementById('pairs');
function esc(s){return s.replace(/&/g,'&amp;').replace(/</g,'&lt;').replace(/>/g,'&gt;');}
function marked(text,matched,common){
  const kind=new Array(text.length).fill(0);
  for(const [s,e] of common){for(let i=s;i<e&&i<text.length;i++)kind[i]=Math.max(kind[i],1);}
  for(const [s,e] of matched){for(let i=s;i<e&&i<text.length;i++)kind[i]=2;}
  let out='',i=0;
  while(i<text.length){let j=i;while(j<text.length&&kind[j]===kind[i])j++;
    const part=esc(text.slice(i,j));
    out+=kind[i]===2?'<mark class="m">'+part+'</mark>':kind[i]===1?'<mark class="c">'+part+'</mark>':part;i=j;}
  return out;
}
function side(label,text,matched,common){
  return '<div><div class="who">'+esc(label)+'</div><pre>'+marked(text||'',matched,common)+'</pre></div>';
}
function show(n){
  const p=data.pairs[n];if(!p)return;
  const a=data.entries[p.a],b=data.entries[p.b];
  document.getElementById('view-title').textContent=p.a+' \u2194 '+p.b;
  document.getElementById('view-summary').innerHTML='Notebook score <strong>'+p.score.toFixed(2)+'</strong>'+
    (p.written===null?'':', written answers <strong>'+p.written.toFixed(2)+'</strong>')+
    (p.flagged?' <span class="badge">flagged</span>':'')+
    ' <span class="legend"><mark class="m">counted match</mark> '+
    '<mark class="c">shared, but common or the reference&#39;s</mark></span>';
  let html='';const skipped=[];
  for(const item of data.items){
    const s=p.items[item];
    if(!s){skipped.push(item);continue;}
    const head='<h3>'+esc(item)+': '+s.score.toFixed(2)+' ('+Math.round(100*s.fa)+'% of a in b, '+
      Math.round(100*s.fb)+'% of b in a)'+(s.flagged?' <span class="badge">flagged</span>':'')+'</h3>';
    const kind=data.written.includes(item)?' written':'';
    html+='<div class="cell'+kind+'" data-item="'+item+'">'+head+'<div class="side">'+
      side(p.a,a.cells[item],s.ma,s.ca)+side(p.b,b.cells[item],s.mb,s.cb)+'</div></div>';
  }
  if(skipped.length)html+='<p class="note">Not compared (empty or missing on a side; see Cells not compared): '+
    esc(skipped.join(', '))+'</p>';
  document.getElementById('view-cells').innerHTML=html;
  list.hidden=true;view.hidden=false;window.scrollTo(0,0);
}
function route(){
  const m=location.hash.match(/^#pair-(\d+)$/);
  if(m){show(+m[1]);}else{view.hidden=true;list.hidden=false;}
}
for(const tr of document.querySelectorAll('tr.pair')){
  const go=()=>{location.hash='#pair-'+tr.dataset.pair;};
  tr.addEventListener('click',go);
  tr.addEventListener('keydown',e=>{if(e.key==='Enter')go();});
}
window.addEventListener('hashchange',route);route();
})();
"""
