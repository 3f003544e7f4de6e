//! `/metrics` on its own address: valid Prometheus text format, and the counters move when pages
//! are read. Its own test process: the metrics recorder is global to a process.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, HashMap};

use common::{backends, corpus, TestApp};

/// A series' labels but `le`, in name order.
type Labels = Vec<(String, String)>;

/// One sample: the metric's name, its labels, its value.
#[derive(Debug, Clone, PartialEq)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// A parser of the Prometheus text exposition format (version 0.0.4), strict about what the
/// format allows: `# HELP`/`# TYPE` lines, `name{label="value",…} value [timestamp]`, one `# TYPE`
/// per family before its samples, histogram families with `_bucket{le}`, `_sum` and `_count`.
fn parse(text: &str) -> Result<(Vec<Sample>, HashMap<String, String>), String> {
    let mut samples = Vec::new();
    let mut types: HashMap<String, String> = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let at = |m: &str| format!("line {}: {m}: {line:?}", n + 1);
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("TYPE"), Some(name), Some(kind)) => {
                    if !valid_name(name) {
                        return Err(at("bad metric name"));
                    }
                    if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind) {
                        return Err(at("unknown type"));
                    }
                    if types.insert(name.to_owned(), kind.to_owned()).is_some() {
                        return Err(at("second TYPE line"));
                    }
                }
                (Some("HELP"), Some(name), _) if valid_name(name) => {}
                _ => {} // other comments are allowed
            }
            continue;
        }
        let (name, rest) = match line.find(['{', ' ']) {
            Some(i) => line.split_at(i),
            None => return Err(at("no value")),
        };
        if !valid_name(name) {
            return Err(at("bad metric name"));
        }
        let mut labels = BTreeMap::new();
        let rest = if let Some(body) = rest.strip_prefix('{') {
            let mut chars = body.char_indices().peekable();
            let end;
            loop {
                match chars.peek() {
                    Some((i, '}')) => {
                        end = *i;
                        break;
                    }
                    None => return Err(at("unclosed labels")),
                    _ => {}
                }
                let mut key = String::new();
                while let Some((_, c)) = chars.next_if(|(_, c)| *c != '=') {
                    key.push(c);
                }
                if !valid_label(&key) || chars.next().map(|x| x.1) != Some('=') {
                    return Err(at("bad label name"));
                }
                if chars.next().map(|x| x.1) != Some('"') {
                    return Err(at("label value without quotes"));
                }
                let mut value = String::new();
                loop {
                    match chars.next() {
                        Some((_, '\\')) => match chars.next() {
                            Some((_, 'n')) => value.push('\n'),
                            Some((_, '\\')) => value.push('\\'),
                            Some((_, '"')) => value.push('"'),
                            _ => return Err(at("bad escape")),
                        },
                        Some((_, '"')) => break,
                        Some((_, c)) => value.push(c),
                        None => return Err(at("unclosed label value")),
                    }
                }
                if labels.insert(key, value).is_some() {
                    return Err(at("repeated label"));
                }
                if let Some((_, ',')) = chars.peek() {
                    chars.next();
                }
            }
            &body[end + 1..]
        } else {
            rest
        };
        let mut fields = rest.split_whitespace();
        let value = fields.next().ok_or_else(|| at("no value"))?;
        let value = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            "NaN" => f64::NAN,
            v => v.parse::<f64>().map_err(|_| at("bad value"))?,
        };
        if let Some(ts) = fields.next() {
            ts.parse::<i64>().map_err(|_| at("bad timestamp"))?;
        }
        if fields.next().is_some() {
            return Err(at("trailing text"));
        }
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s).filter(|f| {
                    types
                        .get(*f)
                        .is_some_and(|t| t == "histogram" || t == "summary")
                })
            })
            .unwrap_or(name);
        if !types.contains_key(family) {
            return Err(at("sample before its TYPE line"));
        }
        samples.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    // Histograms: buckets never fall as `le` grows, and `+Inf` is the count.
    for (family, kind) in &types {
        if kind != "histogram" {
            continue;
        }
        let mut series: BTreeMap<Labels, Vec<(f64, f64)>> = BTreeMap::new();
        for s in samples
            .iter()
            .filter(|s| s.name == format!("{family}_bucket"))
        {
            let le = s
                .labels
                .get("le")
                .ok_or(format!("{family}: bucket without le"))?;
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().map_err(|_| format!("{family}: bad le"))?
            };
            let key: Vec<_> = s
                .labels
                .iter()
                .filter(|(k, _)| *k != "le")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            series.entry(key).or_default().push((le, s.value));
        }
        for (key, mut buckets) in series {
            buckets.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
            if buckets.windows(2).any(|w| w[1].1 < w[0].1) {
                return Err(format!("{family} {key:?}: buckets fall"));
            }
            let last = buckets.last().unwrap();
            let count = samples
                .iter()
                .find(|s| {
                    s.name == format!("{family}_count")
                        && s.labels
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect::<Vec<_>>()
                            == key
                })
                .ok_or(format!("{family} {key:?}: no _count"))?;
            if last.0 != f64::INFINITY || last.1 != count.value {
                return Err(format!("{family} {key:?}: +Inf bucket is not the count"));
            }
        }
    }
    Ok((samples, types))
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn valid_label(name: &str) -> bool {
    valid_name(name) && !name.contains(':')
}

/// The sum of the samples named `name` whose labels include `with`.
fn total(samples: &[Sample], name: &str, with: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            with.iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
        .sum()
}

async fn scrape(url: &str) -> Vec<Sample> {
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    let (samples, _) = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    if let Some(theirs) = reference_parser_samples(&text) {
        assert_eq!(
            theirs,
            samples.len(),
            "the reference parser reads as many samples"
        );
    }
    samples
}

/// The number of samples the Prometheus project's own Python client parser reads from `text`
/// (`prometheus_client.parser`, installed by .ci/run); `None`, said so, where it is missing. A
/// text it refuses fails the test.
fn reference_parser_samples(text: &str) -> Option<usize> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("metrics.txt");
    std::fs::write(&file, text).unwrap();
    let script =
        "import sys\nfrom prometheus_client.parser import text_string_to_metric_families\n\
                  families = list(text_string_to_metric_families(open(sys.argv[1]).read()))\n\
                  print(sum(len(f.samples) for f in families))";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&file)
        .output();
    match out {
        Ok(out) if out.status.success() => {
            Some(String::from_utf8_lossy(&out.stdout).trim().parse().unwrap())
        }
        Ok(out) if String::from_utf8_lossy(&out.stderr).contains("No module named") => {
            eprintln!("prometheus_client is not installed: checked with this file's parser only");
            None
        }
        Ok(out) => panic!(
            "prometheus_client refuses the text: {}\n{text}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => {
            eprintln!("python3 is not available ({e}): checked with this file's parser only");
            None
        }
    }
}

#[test]
fn the_parser_refuses_what_the_format_does_not_allow() {
    assert!(parse("# TYPE a counter\na 1\n").is_ok());
    assert!(parse("a 1\n").is_err(), "no TYPE");
    assert!(parse("# TYPE a counter\na{b=\"c} 1\n").is_err());
    assert!(parse("# TYPE a counter\na{b=\"c\"} x\n").is_err());
    assert!(parse("# TYPE 1a counter\n").is_err());
    assert!(parse(
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"
    )
    .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_parse_and_move_when_pages_are_read() {
    let backend = backends()[0];
    let app = TestApp::start_with(backend, |c| c.metrics_listen = Some("127.0.0.1:0".into())).await;
    let metrics_url = format!(
        "http://{}/metrics",
        app.server
            .as_ref()
            .unwrap()
            .metrics_addr
            .expect("metrics served")
    );
    // Not on the site's address.
    assert_eq!(app.visitor().get("/metrics").await.status, 404);
    let (code, _, err) = app.import(&[
        "--access",
        "public",
        corpus("seed/000_38663bb0f25ad367.txt").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    app.sync().await;
    app.services().search.index_changes().await.unwrap();
    let id = app.visitor().id_of("在2020年区委读书会上的讲话").await;

    let before = scrape(&metrics_url).await;
    let article = format!("/a/{id}");
    for n in 0..4 {
        assert_eq!(app.reader(n).get(&article).await.status, 200);
    }
    assert_eq!(
        app.visitor()
            .get("/api/v1/search?q=%E8%AF%BB%E4%B9%A6%E4%BC%9A")
            .await
            .status,
        200
    );
    assert_eq!(
        app.visitor().get("/api/v1/search?q=zzzqqqxxx").await.status,
        200
    );
    assert_eq!(app.visitor().get("/no/such/page").await.status, 404);
    app.services().views.flush().await.unwrap();
    let after = scrape(&metrics_url).await;

    let moved =
        |name: &str, with: &[(&str, &str)]| total(&after, name, with) - total(&before, name, with);
    assert_eq!(
        moved(
            "wenyuan_http_requests_total",
            &[("route", "/a/{id}"), ("status", "200"), ("method", "GET")]
        ),
        4.0
    );
    assert_eq!(
        moved(
            "wenyuan_http_request_duration_seconds_count",
            &[("route", "/a/{id}")]
        ),
        4.0
    );
    assert!(
        moved(
            "wenyuan_http_requests_total",
            &[("route", "unmatched"), ("status", "404")]
        ) >= 1.0
    );
    assert!(
        !after
            .iter()
            .any(|s| s.labels.get("route") == Some(&article)),
        "routes are patterns, not raw paths"
    );
    assert_eq!(
        moved("wenyuan_guest_page_cache_total", &[("page", "article")]),
        4.0,
        "every guest read of the page goes through the cache"
    );
    assert!(
        moved(
            "wenyuan_guest_page_cache_total",
            &[("page", "article"), ("result", "hit")]
        ) >= 3.0
    );
    assert_eq!(moved("wenyuan_views_counted_total", &[]), 4.0);
    assert_eq!(moved("wenyuan_views_flushed_total", &[]), 4.0);
    assert_eq!(moved("wenyuan_searches_total", &[]), 2.0);
    assert_eq!(moved("wenyuan_search_zero_results_total", &[]), 1.0);
    assert_eq!(moved("wenyuan_search_duration_seconds_count", &[]), 2.0);
    assert!(total(&after, "wenyuan_db_pool_max_connections", &[]) >= 1.0);
    assert!(total(&after, "wenyuan_db_pool_connections", &[("state", "open")]) >= 1.0);
    // The index's lag behind the change feed (what /readyz judges) is read at each scrape.
    let lag: Vec<f64> = after
        .iter()
        .filter(|s| s.name == "wenyuan_search_index_lag")
        .map(|s| s.value)
        .collect();
    assert!(lag.len() == 1 && lag[0] >= 0.0, "index lag: {lag:?}");
    for s in after
        .iter()
        .filter(|s| s.name.starts_with("wenyuan_http_requests_total"))
    {
        println!("{:?} {}", s.labels, s.value);
    }
    app.stop().await;
}
