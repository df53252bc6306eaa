//! The report page: one self-contained HTML document (inline CSS and SVG, no script, no external resource; a
//! Content-Security-Policy forbids loading anything). Every string from the database goes through [`esc`]:
//! package names and labels are chosen by app developers, so they are attacker-controlled text.

use std::fmt::Write as _;

use opsight_core::analysis::{AppConcern, Finding, Severity};
use opsight_core::store::Timeline;

use super::svg;
use super::text::Text;
use super::ReportInput;

/// Escapes text for HTML element content and quoted attribute values (also inside inline SVG). Control characters
/// other than tab and newline, which HTML forbids or which could hide text, become U+FFFD.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A link target, only for `http`/`https` URLs (the policy pack's sources); anything else is not linked.
pub fn safe_url(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| esc(url.trim()))
}

/// Text chosen by an app developer, isolated so right-to-left overrides inside it cannot reorder the page around it.
fn user_text(s: &str) -> String {
    format!("<bdi>{}</bdi>", esc(s))
}

const CSS: &str = r#"
:root{--ink:#1f2328;--muted:#59636e;--line:#d8dee4;--panel:#f6f8fa;--fg:#1a5fb4;--bg:#c64600;--unk:#6e7781;--rej:#b3261e;--night:#e8ecf4}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:var(--ink);background:#fff}
header,main,footer{max-width:1240px;margin:0 auto;padding:0 24px}
header{padding-top:24px}
h1{font-size:28px;margin:0 0 8px}
h2{font-size:21px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:18px;margin:0}
p{margin:6px 0}
.lede{max-width:900px}
.caveat,.muted,figcaption{color:var(--muted);font-size:13px}
.banner{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:8px 12px;max-width:900px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:12px 0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
.overview{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
figure{margin:8px 0}
.overview figure{margin:0}
table.ranking{border-collapse:collapse;width:100%;font-size:14px}
table.ranking th,table.ranking td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
table.ranking th{background:var(--panel)}
td.num{text-align:right;font-variant-numeric:tabular-nums}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--muted);word-break:break-all}
article.app{border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:16px 0}
.apphead{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:baseline}
.score{font-weight:700;font-variant-numeric:tabular-nums}
.meta{color:var(--muted);font-size:13px}
.summary{font-weight:600}
.scroll{overflow-x:auto;margin:10px 0 4px}
svg text{font:11px system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;fill:var(--ink)}
svg .dayl{font-weight:600}
svg .year{fill:var(--muted);font-size:10px;font-weight:600}
svg .hour{fill:var(--muted);font-size:10px}
svg .rowl{font-size:12px}
svg .night{fill:var(--night)}
svg .day{stroke:#aab4c0;stroke-width:1}
svg .row{stroke:var(--line);stroke-width:1}
svg .gap rect{fill:#fff;stroke:var(--line);stroke-dasharray:2 2}
svg .gap text{fill:var(--muted);font-size:13px}
.m-fg{fill:var(--fg)}
.m-bg{fill:#fff;stroke:var(--bg);stroke-width:1.6}
.m-unk{fill:var(--unk)}
.m-rej{stroke:var(--rej);stroke-width:1.8;fill:none;stroke-linecap:round}
.bar{fill:var(--fg)}
.bar-rej{fill:var(--rej)}
ol.findings{list-style:none;padding:0;margin:8px 0 0}
li.finding{border-left:4px solid var(--line);padding:4px 0 4px 12px;margin:10px 0}
li.finding.sev-high{border-left-color:#b3261e}
li.finding.sev-medium{border-left-color:#b06000}
li.finding.sev-low{border-left-color:#6e7781}
li.finding.sev-info{border-left-color:#1a5fb4}
.sev{display:inline-block;min-width:3.5em;text-align:center;border-radius:4px;padding:0 6px;margin-right:6px;font-size:12px;font-weight:700;color:#fff;background:#6e7781}
.sev.sev-high{background:#b3261e}
.sev.sev-medium{background:#9a5300}
.sev.sev-info{background:#1a5fb4}
.ftitle{font-weight:600}
.advice,.evidence,.sources{font-size:14px}
details{margin:16px 0}
summary{cursor:pointer;font-weight:600}
summary h2{display:inline;font-size:inherit;margin:0}
footer{margin:40px auto 24px;color:var(--muted);font-size:13px;border-top:1px solid var(--line);padding-top:8px}
@media print{.scroll{overflow:visible}details{display:block}}
"#;

/// Renders the whole page.
pub fn page(input: &ReportInput) -> String {
    let t = Text { lang: input.lang };
    let a = &input.analysis;
    let mut h = String::with_capacity(64 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; \
         img-src data:; base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        t.html_lang(),
        esc(t.title())
    );

    // Header: what Opsight is, the period, the counts, the overview.
    h.push_str("<header>\n");
    let _ = write!(h, "<h1>{}</h1>\n<p class=\"lede\">{}</p>\n", esc(t.title()), esc(t.lede()));
    if let Some(b) = &input.banner {
        let _ = writeln!(h, "<p class=\"banner\" id=\"banner\">{}</p>", esc(b));
    }
    let flagged: Vec<&AppConcern> = a.apps.iter().filter(|c| !c.findings.is_empty()).collect();
    let count = |s: Severity| a.findings.iter().filter(|f| f.severity == s).count();
    h.push_str("<dl class=\"facts\">");
    let _ = write!(h, "<dt>{}</dt><dd id=\"period\">{}</dd>", esc(t.period()), esc(&input.period_text()));
    let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", esc(t.apps()), esc(&t.apps_count(a.apps.len(), flagged.len())));
    let _ = write!(
        h,
        "<dt>{}</dt><dd id=\"finding-counts\">{}</dd>",
        esc(t.findings()),
        esc(&t.severity_counts(
            count(Severity::High),
            count(Severity::Medium),
            count(Severity::Low),
            count(Severity::Info)
        ))
    );
    let generated = format!("{}{}", input.instant(input.generated_ms), t.times_in(&input.zone_name));
    let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", esc(t.generated()), esc(&generated));
    let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", esc(t.policy_pack()), esc(&a.pack_version));
    h.push_str("</dl>\n<div class=\"overview\">");
    if let Some(chart) = svg::daily_svg(&input.daily_totals(), t) {
        let _ = write!(
            h,
            "<figure><figcaption>{}</figcaption><div class=\"scroll\">{chart}</div></figure>",
            esc(t.daily_heading())
        );
    }
    let _ = write!(h, "<figure>{}</figure>", svg::legend_svg(t));
    h.push_str("</div>\n");
    let _ = writeln!(h, "<p class=\"caveat\">{}</p>", esc(t.caveat()));
    h.push_str("</header>\n<main>\n");

    if a.apps.is_empty() {
        let _ = writeln!(h, "<p id=\"empty\">{}</p>", esc(t.empty_database()));
    }

    // Ranking.
    if !flagged.is_empty() {
        let _ = write!(
            h,
            "<section id=\"ranking\"><h2>{}</h2><p class=\"muted\">{}</p><table class=\"ranking\"><thead><tr>\
             <th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            esc(t.ranking_heading()),
            esc(t.ranking_intro()),
            t.col_rank(),
            esc(t.col_app()),
            esc(t.col_category()),
            esc(t.col_score()),
            esc(t.col_summary())
        );
        for (i, app) in flagged.iter().enumerate() {
            let _ = write!(
                h,
                "<tr class=\"rank-row\"><td class=\"num\">{}</td><td><a href=\"#app-{}\">{}</a>{}</td>\
                 <td>{}</td><td class=\"num score\">{}</td><td>{}</td></tr>",
                i + 1,
                i + 1,
                user_text(app.label.as_deref().unwrap_or(&app.package)),
                if app.label.is_some() {
                    format!("<br><code>{}</code>", user_text(&app.package))
                } else {
                    String::new()
                },
                esc(app.category_name.as_deref().unwrap_or(t.category_unknown())),
                app.score,
                esc(&app.summary)
            );
        }
        h.push_str("</tbody></table></section>\n");
        let _ = writeln!(h, "<section id=\"apps\"><h2>{}</h2>", esc(t.details_heading()));
        for (i, app) in flagged.iter().enumerate() {
            app_article(&mut h, input, app, i + 1, t);
        }
        h.push_str("</section>\n");
    } else if !a.apps.is_empty() {
        let _ = writeln!(h, "<p id=\"no-findings\">{}</p>", esc(t.no_findings()));
    }

    // Apps with events and nothing found, then apps with no events.
    let quiet: Vec<&AppConcern> = a
        .apps
        .iter()
        .filter(|c| c.findings.is_empty() && input.timelines.get(&c.package).is_some_and(|tl| !tl.events.is_empty()))
        .collect();
    if !quiet.is_empty() {
        // A heading of its own, so that these apps' headings do not fall under "Apps with findings".
        let _ = write!(h, "<details id=\"quiet\"><summary><h2>{}</h2></summary>", esc(&t.quiet_heading(quiet.len())));
        for (i, app) in quiet.iter().enumerate() {
            app_article(&mut h, input, app, flagged.len() + i + 1, t);
        }
        h.push_str("</details>\n");
    }
    let idle: Vec<&AppConcern> = a
        .apps
        .iter()
        .filter(|c| c.findings.is_empty() && input.timelines.get(&c.package).is_none_or(|tl| tl.events.is_empty()))
        .collect();
    if !idle.is_empty() {
        let names: Vec<String> = idle
            .iter()
            .map(|c| match &c.label {
                Some(l) => format!("{} <code>{}</code>", user_text(l), user_text(&c.package)),
                None => format!("<code>{}</code>", user_text(&c.package)),
            })
            .collect();
        let _ = writeln!(
            h,
            "<details id=\"idle\"><summary>{}</summary><p>{}</p></details>",
            esc(&t.idle_heading(idle.len())),
            names.join(", ")
        );
    }
    let _ = write!(h, "</main>\n<footer><p>{}</p></footer>\n</body>\n</html>\n", esc(t.footer()));
    h
}

fn app_article(h: &mut String, input: &ReportInput, app: &AppConcern, n: usize, t: Text) {
    let name = app.label.as_deref().unwrap_or(&app.package);
    let _ = write!(h, "<article class=\"app\" id=\"app-{n}\"><div class=\"apphead\"><h3>{}</h3>", user_text(name));
    if app.label.is_some() {
        let _ = write!(h, "<code class=\"pkg\">{}</code>", user_text(&app.package));
    }
    let category = match &app.category_name {
        Some(c) => t.with_note(c, t.category_source(app.category_source)),
        None => t.category_unknown().to_owned(),
    };
    let _ = write!(h, "<span class=\"meta\">{}{}{}</span>", esc(t.col_category()), t.colon(), esc(&category));
    if input.apps.iter().any(|s| s.package == app.package && s.system) {
        let _ = write!(h, "<span class=\"meta\">{}</span>", esc(t.system_app()));
    }
    let _ = write!(h, "<span class=\"score\">{} {}</span></div>", esc(t.col_score()), app.score);
    if !app.findings.is_empty() {
        let _ = write!(h, "<p class=\"summary\">{}</p>", esc(&app.summary));
    }
    if let Some(tl) = input.timelines.get(&app.package) {
        timeline_figure(h, input, tl, name, t);
    }
    if !app.findings.is_empty() {
        h.push_str("<ol class=\"findings\">");
        for f in &app.findings {
            finding_item(h, input, f, t);
        }
        h.push_str("</ol>");
    }
    h.push_str("</article>\n");
}

fn timeline_figure(h: &mut String, input: &ReportInput, tl: &Timeline, name: &str, t: Text) {
    let Some(layout) = svg::layout(&tl.events, &input.zone) else { return };
    let counts = format!("{}{}", counts_line(tl, t), days_span(input, tl, t));
    let rows: Vec<&str> = layout.rows.iter().map(|r| r.label(t.lang)).collect();
    let _ = write!(
        h,
        "<figure class=\"tl\"><p class=\"meta counts\">{}</p><div class=\"scroll\">{}</div><figcaption>{}</figcaption>\
         </figure>",
        esc(&counts),
        svg::timeline_svg(&layout, t, &esc(&t.timeline_summary(name, &counts, &rows))),
        esc(&t.timeline_caption(&input.zone_name))
    );
}

/// The first and last day with events, in the report's zone.
fn days_span(input: &ReportInput, tl: &Timeline, t: Text) -> String {
    let day = |ms: i64| input.instant(ms).chars().take(10).collect::<String>();
    let times = || tl.events.iter().map(|e| e.start_utc_ms);
    match (times().min(), times().max()) {
        (Some(first), Some(last)) => t.days_span(&day(first), &day(last)),
        _ => String::new(),
    }
}

/// Accesses by state and refused attempts, from the stored events (rolled-up counts have no state).
fn counts_line(tl: &Timeline, t: Text) -> String {
    let mut c = [0u64; 4];
    for e in &tl.events {
        c[svg::class_of(e) as usize] += 1;
    }
    let [fg, bg, unknown, reject] = c;
    t.counts_line(fg + bg + unknown, fg, bg, reject)
}

fn finding_item(h: &mut String, input: &ReportInput, f: &Finding, t: Text) {
    let sev = match f.severity {
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Info => "info",
    };
    let _ = write!(
        h,
        "<li class=\"finding sev-{sev}\" data-rule=\"{}\"><p><span class=\"sev sev-{sev}\">{}</span>\
         <span class=\"ftitle\">{}</span> <span class=\"meta\">· {}</span></p><p class=\"explanation\">{}</p>\
         <p class=\"advice\"><b>{}{}</b>{}</p>",
        f.rule.as_str(),
        esc(t.severity(f.severity)),
        esc(&f.title),
        esc(f.info_type.label(t.lang)),
        esc(&f.explanation),
        esc(t.advice()),
        t.colon(),
        esc(&f.advice)
    );
    let ev = &f.evidence;
    let span = match (ev.first_ms, ev.last_ms) {
        (Some(a), Some(b)) if a == b => input.instant(a),
        (Some(a), Some(b)) => format!("{} – {}", input.instant(a), input.instant(b)),
        _ => String::new(),
    };
    if ev.accesses > 0 || ev.rejects > 0 {
        let _ = write!(
            h,
            "<p class=\"evidence\"><b>{}{}</b>{}</p>",
            esc(t.evidence()),
            t.colon(),
            esc(&t.evidence_line(ev.accesses, ev.background, ev.rejects, &span))
        );
    }
    if !f.sources.is_empty() {
        let links: Vec<String> = f
            .sources
            .iter()
            .map(|s| match safe_url(&s.url) {
                Some(url) => format!("<a href=\"{url}\" rel=\"noreferrer noopener\">{}</a>", esc(&s.title)),
                None => esc(&s.title),
            })
            .collect();
        let separator = if t.lang == opsight_core::ops::Lang::ZhCn { "；" } else { "; " };
        let _ = write!(h, "<p class=\"sources\"><b>{}{}</b>{}</p>", esc(t.sources()), t.colon(), links.join(separator));
    }
    h.push_str("</li>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_and_controls_are_escaped() {
        assert_eq!(esc("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
        assert_eq!(esc("a&b \"q\""), "a&amp;b &quot;q&quot;");
        assert_eq!(esc("tab\tnew\nline\u{0}\u{7}\u{1b}[31m"), "tab\tnew\nline\u{FFFD}\u{FFFD}\u{FFFD}[31m");
        assert_eq!(esc("QQ音乐 \u{202E}evil"), "QQ音乐 \u{202E}evil", "bidi controls are isolated by <bdi>, kept");
        assert_eq!(user_text("x\u{202E}y"), "<bdi>x\u{202E}y</bdi>");
        assert_eq!(esc(""), "");
    }

    #[test]
    fn only_web_links_are_linked() {
        assert_eq!(safe_url("https://example.org/a?b=1&c=2").as_deref(), Some("https://example.org/a?b=1&amp;c=2"));
        assert_eq!(safe_url(" HTTP://x ").as_deref(), Some("HTTP://x"));
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("data:text/html,x"), None);
        assert_eq!(safe_url("https://x\"><script>").as_deref(), Some("https://x&quot;&gt;&lt;script&gt;"));
    }
}
