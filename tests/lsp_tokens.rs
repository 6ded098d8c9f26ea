//! Semantic tokens through the protocol: `semanticTokens/range` is the full result restricted
//! to the range, and `semanticTokens/full/delta` edits applied to the previous result give the new
//! full result, over random edit sequences (issue 12 item 4).

mod lsp;

use lsp::client::*;
use proptest::prelude::*;
use serde_json::{Value, json};

const URI: &str = "file:///tokens/visit.note";

const TEXT: &str = "---
template: SOAP °µ± 😀
codes: 97110-GP, 97140-GP
---
<!--
  A comment
  over lines.
-->

## S: Patient report {#subjective}
Patient reports ***; pain {{pain_today:number}}/10 ± 1.

### Hands-on {#technique}
- 😀 {joint mobilization|mobilization with movement} to {{region:region}}

## Response
Tolerated treatment {well|poorly}. \\{ ***
";

/// A token in absolute terms: (line, start, length, type, modifiers).
type Absolute = [u64; 5];

fn absolute(data: &Value) -> Vec<Absolute> {
    let data: Vec<u64> = data
        .as_array()
        .expect("data")
        .iter()
        .map(|n| n.as_u64().expect("an integer"))
        .collect();
    assert_eq!(data.len() % 5, 0, "{data:?}");
    let (mut line, mut start) = (0, 0);
    data.chunks(5)
        .map(|token| {
            if token[0] > 0 {
                line += token[0];
                start = token[1];
            } else {
                start += token[1];
            }
            [line, start, token[2], token[3], token[4]]
        })
        .collect()
}

fn full(server: &mut Server, doc: &Doc) -> Value {
    server.result(
        "textDocument/semanticTokens/full",
        json!({"textDocument": doc.ident()}),
    )
}

#[test]
fn range_tokens_are_the_full_tokens_in_the_range() {
    for encodings in [&[][..], &["utf-8"][..]] {
        let mut server = Server::start(encodings, json!({"debounceMs": 0}));
        let doc = Doc::new(URI, TEXT, server.encoding);
        server.open(&doc);
        let all = absolute(&full(&mut server, &doc)["data"]);
        assert!(all.len() > 10, "{all:?}");
        let ranges = [
            (0, doc.text.len()),
            // Inside the comment: only its middle line.
            (doc.find("A comment"), doc.find("A comment") + 3),
            // Part of a line: the choice and what touches the range only.
            (doc.find("{joint"), doc.find(" to {{region")),
            (doc.find("{{pain"), doc.find("Hands-on")),
            (doc.find("Tolerated"), doc.find("Tolerated")),
        ];
        for (start, end) in ranges {
            let range = doc.range(start, end);
            let (start_line, start_char) = position(&doc.text, start, doc.encoding);
            let (end_line, end_char) = position(&doc.text, end, doc.encoding);
            let (start, end) = (
                (u64::from(start_line), u64::from(start_char)),
                (u64::from(end_line), u64::from(end_char)),
            );
            let expected: Vec<Absolute> = all
                .iter()
                .filter(|t| (t[0], t[1] + t[2]) > start && (t[0], t[1]) < end)
                .copied()
                .collect();
            let found = server.result(
                "textDocument/semanticTokens/range",
                json!({"textDocument": doc.ident(), "range": range}),
            );
            assert_eq!(absolute(&found["data"]), expected, "range {range}");
        }
        assert_eq!(
            server.initialize_result["capabilities"]["semanticTokensProvider"]["range"],
            true
        );
        server.assert_no_panic();
    }
}

/// Applies `semanticTokens/full/delta` edits (integer offsets into the flat array).
fn apply_delta(previous: &[u64], edits: &Value) -> Vec<u64> {
    let mut data = previous.to_vec();
    let mut edits: Vec<&Value> = edits.as_array().expect("edits").iter().collect();
    // Edits are against the previous array; apply from the back.
    edits.sort_by_key(|edit| std::cmp::Reverse(edit["start"].as_u64().unwrap()));
    for edit in edits {
        let start = edit["start"].as_u64().unwrap() as usize;
        let delete = edit["deleteCount"].as_u64().unwrap() as usize;
        let insert: Vec<u64> = edit["data"]
            .as_array()
            .map(|data| data.iter().map(|n| n.as_u64().unwrap()).collect())
            .unwrap_or_default();
        assert!(start + delete <= data.len(), "{edit} on {}", data.len());
        data.splice(start..start + delete, insert);
    }
    data
}

fn flat(data: &Value) -> Vec<u64> {
    data.as_array()
        .expect("data")
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect()
}

const PIECES: &[&str] = &[
    "## Technique\n",
    "{{x:minutes}}",
    "{a|b}",
    "<!-- c\n",
    "-->",
    "\n",
    "é😀",
    "***",
    "x",
    "---\n",
    "codes: 97140\n",
    "",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn delta_edits_rebuild_the_full_tokens(
        edits in proptest::collection::vec((0.0f64..1.0, 0usize..12, 0..PIECES.len()), 1..8),
    ) {
        let mut server = Server::start(&[], json!({"debounceMs": 0}));
        let mut doc = Doc::new(URI, TEXT, server.encoding);
        server.open(&doc);
        let first = full(&mut server, &doc);
        let mut previous = (first["resultId"].as_str().expect("a result id").to_string(), flat(&first["data"]));
        for (at, delete, piece) in edits {
            let mut start = (at * doc.text.len() as f64) as usize;
            while !is_position(&doc.text, start) {
                start -= 1;
            }
            let mut end = (start + delete).min(doc.text.len());
            while !is_position(&doc.text, end) {
                end += 1;
            }
            let change = doc.edit(start, end, PIECES[piece]);
            doc.version += 1;
            server.did_change(&doc, vec![change]);
            let delta = server.result(
                "textDocument/semanticTokens/full/delta",
                json!({"textDocument": doc.ident(), "previousResultId": previous.0}),
            );
            let rebuilt = match delta.get("edits") {
                Some(edits) => apply_delta(&previous.1, edits),
                None => flat(&delta["data"]),
            };
            prop_assert!(delta.get("edits").is_some(), "a known id gets a delta: {}", delta);
            let now = full(&mut server, &doc);
            prop_assert_eq!(&rebuilt, &flat(&now["data"]), "after {:?}", doc.text);
            previous = (now["resultId"].as_str().unwrap().to_string(), flat(&now["data"]));
        }
        // An unknown id gets the whole result.
        let unknown = server.result(
            "textDocument/semanticTokens/full/delta",
            json!({"textDocument": doc.ident(), "previousResultId": "not-a-result"}),
        );
        prop_assert_eq!(flat(&unknown["data"]), previous.1);
        server.assert_no_panic();
    }
}
