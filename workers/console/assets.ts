// The console's stylesheet: system fonts, AA contrast in both schemes, usable at 360 px width.
export const CONSOLE_CSS = `
:root{--bg:#fff;--fg:#1a1a1a;--muted:#555;--line:#d0d4da;--accent:#0b57d0;--ok:#0a6b2e;--bad:#b3261e;--warn:#8a5a00;--card:#f6f8fa;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#121417;--fg:#e8eaed;--muted:#b0b6bf;--line:#3a3f46;--accent:#8ab4f8;--ok:#6dd58c;--bad:#ffb4ab;--warn:#f2c14e;--card:#1c1f24}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
a{color:var(--accent)}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:var(--bg);padding:4px 8px;z-index:9}
header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;padding:.75rem 1rem;border-bottom:1px solid var(--line)}
header .brand{font-weight:700;text-decoration:none;color:var(--fg)}nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}
nav a[aria-current=page]{font-weight:700;text-decoration:none}nav .later{color:var(--muted)}
.who{margin-left:auto;display:flex;gap:.5rem;align-items:center;font-size:.9rem;color:var(--muted)}
main{padding:1rem;max-width:1200px;margin:0 auto}h1{font-size:1.5rem;margin:.25rem 0 1rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:.75rem}.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.75rem}
.card .n{font-size:1.6rem;font-weight:700}.table-wrap{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.95rem}
td:first-child{white-space:nowrap}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}th{font-weight:600}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85em;word-break:break-all}
.st-running,.ok{color:var(--ok)}.st-failed,.st-exited,.bad{color:var(--bad)}.st-pending,.st-starting,.st-stopping,.warn{color:var(--warn)}
.pill{display:inline-block;padding:0 .5rem;border:1px solid currentColor;border-radius:999px;font-size:.85rem}
button,.button{font:inherit;padding:.4rem .9rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:var(--bg);cursor:pointer}
button.secondary{background:transparent;color:var(--accent)}button.danger{background:var(--bad);border-color:var(--bad)}
input,select{font:inherit;padding:.35rem .5rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg);max-width:100%}
form.inline{display:inline-flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin:.25rem 1rem .25rem 0}label{display:flex;flex-direction:column;font-size:.9rem;gap:.15rem}
.flash{padding:.5rem .75rem;border-radius:6px;border:1px solid var(--ok);margin-bottom:1rem}.problem{border-color:var(--bad)}
pre.logs{background:var(--card);border:1px solid var(--line);padding:.75rem;overflow:auto;max-height:24rem;white-space:pre-wrap}
ol.checks{padding-left:1.25rem}ol.checks li{margin:.2rem 0}ol.checks li.ok .mark{color:var(--ok);font-weight:700}ol.checks li.bad .mark{color:var(--bad);font-weight:700}ol.checks li.unchecked .mark{color:var(--muted);font-weight:700}
.verdict{font-weight:700;font-size:1.1rem;padding:.5rem .75rem;border-radius:6px;border:2px solid currentColor}.verify{border:1px solid var(--line);border-radius:8px;padding:.75rem;margin:1rem 0}
svg.spark{vertical-align:middle}svg.spark polyline{fill:none;stroke:var(--accent);stroke-width:2}.muted{color:var(--muted)}
dialog{border:1px solid var(--line);border-radius:8px;background:var(--bg);color:var(--fg);max-width:90vw}dialog::backdrop{background:#0008}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dl.kv dt{font-weight:600}dl.kv dd{margin:0;overflow-wrap:anywhere}ul.gates{margin:0;padding-left:1.1rem}
@media (max-width:600px){header{padding:.5rem}.who{margin-left:0}main{padding:.5rem}th,td{padding:.3rem}.hide-sm{display:none}}
`;
