use super::*;
use crate::interop::model::{Block, Heading, Meta, Piece, Template};
use serde_json::{Value, json};

fn import_json(value: Value) -> crate::interop::Imported {
    import(&serde_json::to_string_pretty(&value).unwrap()).expect("imports")
}

fn error(text: &str) -> crate::interop::ImportError {
    import(text).expect_err("refused")
}

fn lines(template: &Template) -> Vec<String> {
    template
        .blocks
        .iter()
        .filter(|block| !matches!(block, Block::Comment(_)))
        .map(|block| match block {
            Block::Heading(heading) => {
                format!("{} {}", "#".repeat(heading.level as usize), heading.title)
            }
            other => Template {
                meta: Meta::default(),
                blocks: vec![other.clone()],
            }
            .to_note()
            .trim_end()
            .to_string(),
        })
        .collect()
}

fn field(name: &str, ty: Option<&str>) -> Piece {
    Piece::Field {
        name: name.into(),
        ty: ty.map(str::to_string),
    }
}

#[test]
fn groups_questions_and_display_items_map_to_sections_fields_and_text() {
    let imported = import_json(json!({
        "resourceType": "Questionnaire",
        "title": "PT visit",
        "version": "3",
        "code": [
            {"system": CPT_SYSTEM, "code": "97140"},
            {"system": "http://loinc.org", "code": "76453-0", "display": "PT panel"}
        ],
        "contained": [{
            "resourceType": "ValueSet", "id": "grades",
            "compose": {"include": [{"concept": [{"code": "1", "display": "Grade I"}, {"code": "2"}]}]}
        }, {
            "resourceType": "ValueSet", "id": "sides",
            "expansion": {"contains": [{"display": "Left", "contains": [{"code": "L1"}]}, {"display": "Right"}]}
        }],
        "item": [
            {"linkId": "dos", "text": "Date of service", "type": "date"},
            {"linkId": "g1", "text": "Treatment", "type": "group", "item": [
                {"linkId": "g1/n", "text": "Sets", "type": "integer"},
                {"linkId": "g1/w", "text": "Weight", "type": "decimal",
                 "extension": [{"url": UNIT_EXTENSION, "valueCoding": {"system": UCUM_SYSTEM, "code": "kg"}}]},
                {"linkId": "g1/t", "text": "Time", "type": "quantity",
                 "extension": [{"url": UNIT_OPTION_EXTENSION, "valueCoding": {"system": UCUM_SYSTEM, "code": "min"}}]},
                {"linkId": "g1/d", "text": "Distance", "type": "quantity",
                 "initial": [{"valueQuantity": {"unit": "m", "code": "m"}}]},
                {"linkId": "g1/grade", "text": "Grade", "type": "choice", "answerValueSet": "#grades"},
                {"linkId": "g1/side", "text": "Side", "type": "choice", "answerValueSet": "#sides"},
                {"linkId": "g1/pos", "text": "Position", "type": "choice", "answerOption": [
                    {"valueCoding": {"code": "p", "display": "prone"}}, {"valueString": "supine"}, {"valueInteger": 3}
                ]},
                {"linkId": "g1/ok", "text": "Tolerated well?", "type": "boolean"},
                {"linkId": "g1/sub", "text": "Notes", "type": "group", "item": [
                    {"linkId": "g1/sub/x", "text": "Comment", "type": "text"},
                    {"linkId": "g1/sub/help", "text": "Say how it went.", "type": "display"}
                ]}
            ]}
        ]
    }));
    let template = &imported.template;
    assert_eq!(template.meta.title.as_deref(), Some("PT visit"));
    assert_eq!(template.meta.version.as_deref(), Some("3"));
    assert_eq!(template.meta.codes, vec!["97140".to_string()]);
    assert!(
        template
            .blocks
            .iter()
            .any(|block| matches!(block, Block::Comment(text) if text.contains("76453-0"))),
        "the LOINC code is kept as a comment"
    );
    assert_eq!(
        lines(template),
        [
            "Date of service: {{date_of_service:date}}",
            "## Treatment",
            "Sets: {{sets:number}}",
            "Weight: {{weight:number}} kg",
            "Time: {{time:minutes}}",
            "Distance: {{distance:number}} m",
            "Grade: {Grade I|2}",
            "Side: {Left|L1|Right}",
            "Position: {prone|supine|3}",
            "Tolerated well? {yes|no}",
            "### Notes",
            "Comment: {{comment}}",
            "Say how it went.",
        ]
    );
    assert!(imported.unmapped.is_empty(), "{:?}", imported.unmapped);
}

#[test]
fn a_number_with_a_date_format_unit_is_a_date_field() {
    // LOINC gives some dates as decimals with a UCUM annotation for a unit (76423-3 "Date of
    // first visit" in the physical therapy initial visit panel, as LHC-Forms exports it).
    let unit = |code: &str| json!([{"url": UNIT_EXTENSION, "valueCoding": {"system": UCUM_SYSTEM, "code": code, "display": code}}]);
    let imported = import_json(json!({
        "resourceType": "Questionnaire",
        "item": [
            {"linkId": "/76423-3", "text": "Date of first visit", "type": "decimal", "extension": unit("{mm/dd/yyyy}")},
            {"linkId": "b", "text": "Onset", "type": "integer", "extension": unit("{YYYY-MM-DD}")},
            // Other annotations stay numbers with their unit as text.
            {"linkId": "c", "text": "Year", "type": "integer", "extension": unit("{yyyy}")},
            {"linkId": "d", "text": "Score", "type": "decimal", "extension": unit("{score}")},
            {"linkId": "e", "text": "Days", "type": "decimal", "extension": unit("{days}/wk")}
        ]
    }));
    assert_eq!(
        lines(&imported.template),
        [
            "Date of first visit: {{date_of_first_visit:date}}",
            "Onset: {{onset:date}}",
            "Year: {{year:number}} \\{yyyy\\}",
            "Score: {{score:number}} \\{score\\}",
            "Days: {{days:number}} \\{days\\}/wk",
        ]
    );
    assert!(imported.unmapped.is_empty(), "{:?}", imported.unmapped);
}

#[test]
fn a_choice_whose_answer_options_are_empty_is_a_text_field_and_says_why() {
    // LHC-Forms writes one empty coding for a LOINC answer list it leaves out.
    let imported = import_json(json!({
        "resourceType": "Questionnaire",
        "item": [
            {"linkId": "/89175-4/52829-9", "text": "Place of service", "type": "choice", "answerOption": [{"valueCoding": {}}]},
            {"linkId": "b", "text": "Side", "type": "choice"}
        ]
    }));
    assert_eq!(
        lines(&imported.template),
        ["Place of service: {{place_of_service}}", "Side: {{side}}"]
    );
    let report: Vec<&str> = imported
        .unmapped
        .iter()
        .map(|place| place.what.as_str())
        .collect();
    assert_eq!(report.len(), 2, "{report:?}");
    assert!(
        report[0].contains("answer options have no value"),
        "{report:?}"
    );
    assert!(report[1].contains("without answer options"), "{report:?}");
}

#[test]
fn what_has_no_note_equivalent_stays_as_text_with_a_comment_and_a_report_entry() {
    let text = r#"{
  "resourceType": "Questionnaire",
  "item": [
    {"linkId": "a", "text": "Smoker", "type": "boolean"},
    {"linkId": "b", "text": "Packs a day", "type": "integer",
     "enableWhen": [{"question": "a", "operator": "=", "answerBoolean": true}]},
    {"linkId": "c", "text": "X-ray", "type": "attachment"},
    {"linkId": "d", "text": "Ethnicity", "type": "choice",
     "answerValueSet": "http://terminology.hl7.org/ValueSet/v3-Ethnicity"},
    {"linkId": "e", "text": "Score", "type": "decimal", "extension": [{
      "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression",
      "valueExpression": {"language": "text/fhirpath", "expression": "%a + 1"}}]},
    {"linkId": "f", "text": "Mystery", "type": "weird"}
  ]
}"#;
    let imported = import(text).unwrap();
    assert_eq!(
        lines(&imported.template),
        [
            "Smoker: {yes|no}",
            "Packs a day: {{packs_a_day:number}}",
            "X-ray",
            "Ethnicity: {{ethnicity}}",
            "Score: {{score:number}}",
            "Mystery",
        ]
    );
    let report: Vec<(usize, &str)> = imported
        .unmapped
        .iter()
        .map(|place| (place.line, place.what.as_str()))
        .collect();
    assert_eq!(report.len(), 5, "{report:?}");
    assert_eq!(report[0].0, 5, "the line of item b's linkId");
    assert!(
        report[0].1.contains("shown only when a = yes"),
        "{report:?}"
    );
    assert!(report[1].1.contains("`attachment`"));
    assert!(report[2].1.contains("v3-Ethnicity"));
    assert!(report[3].1.contains("%a + 1"));
    assert!(report[4].1.contains("`weird`"));
    // Each entry is also a comment in the template, before the line it is about.
    let note = imported.template.to_note();
    assert_eq!(note.matches("<!-- FHIR: ").count(), 5, "{note}");
}

#[test]
fn invalid_json_is_refused_at_its_position_in_characters() {
    let found = error("{\n  \"resourceType\": \"Questionnaire\",\n  \"title\": \"Zoë\" \"x\"\n}");
    assert_eq!((found.line, found.column), (3, 18), "{found}");
    assert!(
        found.message.starts_with("invalid JSON: expected"),
        "{found}"
    );
    let found = error("{\"resourceType\": \"Questionnaire\"");
    assert_eq!(found.line, 1);
    assert!(found.message.contains("EOF"), "{found}");
    assert_eq!(error("").line, 1);
    assert!(error("[1, 2]").message.contains("not an object"));
}

#[test]
fn another_resource_is_refused() {
    let found = error("{\n  \"resourceType\": \"Patient\"\n}");
    assert_eq!((found.line, found.column), (2, 3));
    assert!(
        found.message.contains("FHIR Patient, not a Questionnaire"),
        "{found}"
    );
    assert!(
        error(r#"{"resourceType": "Bundle"}"#)
            .message
            .contains("entry")
    );
    assert!(
        error(r#"{"title": "x"}"#)
            .message
            .contains("no \"resourceType\"")
    );
}

#[test]
fn r5_and_stu3_questionnaires_are_refused_with_the_reason() {
    let cases = [
        (r#"{"linkId": "a", "type": "coding"}"#, "R5", "\"coding\""),
        (
            r#"{"linkId": "a", "type": "question"}"#,
            "R5",
            "\"question\"",
        ),
        (
            r#"{"linkId": "a", "type": "choice", "answerConstraint": "optionsOnly"}"#,
            "R5",
            "answerConstraint",
        ),
        (
            r#"{"linkId": "a", "type": "choice", "option": [{"valueString": "x"}]}"#,
            "STU3",
            "`option`",
        ),
        (
            r##"{"linkId": "a", "type": "choice", "options": {"reference": "#vs"}}"##,
            "STU3",
            "`options`",
        ),
        (
            r#"{"linkId": "a", "type": "string", "initialString": "x"}"#,
            "STU3",
            "initialString",
        ),
    ];
    for (item, version, reason) in cases {
        let text = format!(
            "{{\"resourceType\": \"Questionnaire\",\n\"item\": [{{\"linkId\": \"g\", \"type\": \"group\", \"item\": [\n{item}]}}]}}"
        );
        let found = error(&text);
        assert!(
            found.message.contains(&format!("FHIR {version}, not R4"))
                && found.message.contains(reason),
            "{item}: {found}"
        );
        assert_eq!(found.line, 3, "{item}: {found}");
    }
}

#[test]
fn deep_nesting_is_refused_or_capped_without_overflowing_the_stack() {
    // Deeper than serde_json's limit: an error, not a stack overflow.
    let mut text = String::new();
    for _ in 0..10_000 {
        text.push_str("{\"resourceType\": \"Questionnaire\", \"item\": [");
    }
    let found = error(&text);
    assert!(found.message.contains("nests deeper"), "{found}");
    // Within it: headings stop at level 6.
    let mut item = json!({"linkId": "leaf", "text": "Leaf", "type": "string"});
    for depth in 0..60 {
        item = json!({"linkId": format!("g{depth}"), "text": format!("G{depth}"), "type": "group", "item": [item]});
    }
    let imported = import_json(json!({"resourceType": "Questionnaire", "item": [item]}));
    let levels: Vec<u8> = imported
        .template
        .blocks
        .iter()
        .filter_map(|block| match block {
            Block::Heading(Heading { level, .. }) => Some(*level),
            _ => None,
        })
        .collect();
    assert_eq!(levels.len(), 60);
    assert_eq!(levels[..5], [2, 3, 4, 5, 6]);
    assert!(levels.iter().all(|level| *level <= 6));
}

#[test]
fn huge_arrays_are_read_in_one_pass() {
    let options: Vec<Value> = (0..50_000).map(|n| json!({"valueInteger": n})).collect();
    let items: Vec<Value> = (0..20_000)
        .map(|n| json!({"linkId": format!("q{n}"), "text": "Same label", "type": "string"}))
        .collect();
    let imported = import_json(json!({
        "resourceType": "Questionnaire",
        "item": [{"linkId": "big", "text": "Big", "type": "choice", "answerOption": options},
                 {"linkId": "many", "text": "Many", "type": "group", "item": items}]
    }));
    let Block::Line(pieces) = &imported.template.blocks[0] else {
        panic!()
    };
    assert!(matches!(&pieces[1], Piece::Choice(options) if options.len() == 50_000));
    // 20,000 questions named after the same label get 20,000 names.
    let names: rustc_hash::FxHashSet<&str> = imported
        .template
        .blocks
        .iter()
        .filter_map(|block| match block {
            Block::Line(pieces) => pieces.iter().find_map(|piece| match piece {
                Piece::Field { name, .. } => Some(name.as_str()),
                _ => None,
            }),
            _ => None,
        })
        .collect();
    assert_eq!(names.len(), 20_000);
}

#[test]
fn many_repeated_names_get_unique_link_ids_in_linear_work() {
    let blocks = (0..20_000)
        .map(|_| Block::Line(vec![Piece::Text("X: ".into()), field("x", None)]))
        .collect();
    let json: Value = serde_json::from_str(
        &export(&Template {
            meta: Meta::default(),
            blocks,
        })
        .unwrap(),
    )
    .unwrap();
    let items = json["item"].as_array().unwrap();
    assert_eq!(items.len(), 20_000);
    assert_eq!(items[19_999]["linkId"], "x-20000");
}

fn sample() -> Template {
    Template {
        meta: Meta {
            title: Some("Manual therapy visit".into()),
            codes: vec!["97140-GP".into(), "97110".into()],
            payer: Some("medicare".into()),
            note_type: Some("daily".into()),
            version: Some("2".into()),
        },
        blocks: vec![
            Block::Line(vec![
                Piece::Text("Date of service: ".into()),
                field("date_of_service", Some("date")),
            ]),
            Block::Heading(Heading {
                level: 2,
                title: "Technique".into(),
                kind: Some("technique".into()),
                explicit: false,
                required: true,
            }),
            Block::Line(vec![
                Piece::Text("- ".into()),
                Piece::Choice(vec![
                    "joint mobilization".into(),
                    " myofascial release ".into(),
                ]),
                Piece::Text(" to ".into()),
                field("region", Some("region")),
                Piece::Text(", grade ".into()),
                Piece::Choice(vec!["I".into(), "II".into()]),
            ]),
            Block::Line(vec![Piece::Text("Cued for posture.".into())]),
            Block::Heading(Heading {
                level: 2,
                title: "Time".into(),
                kind: Some("time".into()),
                explicit: true,
                required: false,
            }),
            Block::Line(vec![
                Piece::Text("Manual therapy: ".into()),
                field("mt_minutes", Some("minutes")),
            ]),
            Block::Line(vec![Piece::Text("Response: ".into()), Piece::Wildcard]),
            Block::Heading(Heading {
                level: 3,
                title: "Empty".into(),
                kind: None,
                explicit: false,
                required: false,
            }),
            Block::Heading(Heading {
                level: 2,
                title: "Time".into(),
                kind: None,
                explicit: false,
                required: false,
            }),
            Block::Line(vec![
                Piece::Text("Total: ".into()),
                field("mt_minutes", Some("minutes")),
            ]),
            Block::Include("shared/signature.note".into()),
        ],
    }
}

#[test]
fn export_writes_a_draft_r4_questionnaire() {
    let json: Value = serde_json::from_str(&export(&sample()).unwrap()).unwrap();
    assert_eq!(json["resourceType"], "Questionnaire");
    assert_eq!(json["status"], "draft");
    assert_eq!(json["title"], "Manual therapy visit");
    assert_eq!(json["name"], "ManualTherapyVisit");
    assert_eq!(json["url"], "urn:noteplate:template:manual-therapy-visit");
    assert_eq!(json["version"], "2");
    assert_eq!(json["code"][0]["system"], CPT_SYSTEM);
    assert_eq!(json["code"][0]["code"], "97140");
    assert_eq!(json["code"][0]["extension"][0]["valueString"], "GP");
    let items = json["item"].as_array().unwrap();
    assert_eq!(items[0]["linkId"], "date_of_service");
    assert_eq!(items[0]["type"], "date");
    assert_eq!(items[0]["text"], "Date of service");
    let technique = &items[1];
    assert_eq!(technique["type"], "group");
    assert_eq!(technique["linkId"], "technique");
    assert_eq!(technique["required"], true);
    assert_eq!(technique["code"][0]["system"], SECTION_KIND_SYSTEM);
    assert_eq!(technique["code"][0]["code"], "technique");
    let children: Vec<(&str, &str, &str)> = technique["item"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["linkId"].as_str().unwrap(),
                item["type"].as_str().unwrap(),
                item["text"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        children,
        [
            ("technique/text-1", "display", "- … to …, grade …"),
            ("technique/choice", "choice", "Choice"),
            ("technique/region", "string", "Region"),
            ("technique/grade", "choice", "Grade"),
            ("technique/text-2", "display", "Cued for posture."),
        ]
    );
    assert_eq!(
        technique["item"][1]["answerOption"],
        json!([{"valueString": "joint mobilization"}, {"valueString": "myofascial release"}])
    );
    let time = &items[2];
    assert!(time.get("required").is_none());
    let minutes = &time["item"][0];
    assert_eq!(minutes["linkId"], "time/mt_minutes");
    assert_eq!(minutes["type"], "quantity");
    assert_eq!(minutes["extension"][1]["url"], UNIT_OPTION_EXTENSION);
    assert_eq!(minutes["extension"][1]["valueCoding"]["code"], "min");
    assert_eq!(time["item"][1]["type"], "text");
    assert_eq!(time["item"][1]["text"], "Response");
    // The empty level-3 section nests in Time, with a placeholder to stay valid.
    assert_eq!(time["item"][2]["type"], "group");
    assert_eq!(time["item"][2]["item"][0]["type"], "display");
    // A second "Time" section and its repeated field get unique linkIds.
    assert_eq!(items[3]["linkId"], "time-2");
    assert_eq!(items[3]["item"][0]["linkId"], "time-2/mt_minutes");
    assert_eq!(
        items[3]["item"][1]["extension"][0]["valueString"],
        "shared/signature.note"
    );
}

#[test]
fn link_ids_are_unique_and_stay_the_same_across_unrelated_edits() {
    let ids = |template: &Template| -> Vec<String> {
        let json: Value = serde_json::from_str(&export(template).unwrap()).unwrap();
        let mut ids = Vec::new();
        let mut stack: Vec<&Value> = json["item"].as_array().unwrap().iter().collect();
        while let Some(item) = stack.pop() {
            ids.push(item["linkId"].as_str().unwrap().to_string());
            stack.extend(item["item"].as_array().into_iter().flatten());
        }
        ids
    };
    let before = ids(&sample());
    let unique: rustc_hash::FxHashSet<&String> = before.iter().collect();
    assert_eq!(unique.len(), before.len(), "{before:?}");
    assert_eq!(before, ids(&sample()), "the same on every run");
    // A line added to the first section leaves every question's linkId alone.
    let mut edited = sample();
    edited.blocks.insert(
        2,
        Block::Line(vec![
            Piece::Text("Pain: ".into()),
            field("pain", Some("number")),
        ]),
    );
    let after = ids(&edited);
    for id in before.iter().filter(|id| !id.contains("text-")) {
        assert!(after.contains(id), "{id} changed: {after:?}");
    }
}

#[test]
fn an_exported_template_imports_as_the_same_template() {
    let template = sample();
    let imported = import(&export(&template).unwrap()).unwrap();
    assert!(imported.unmapped.is_empty(), "{:?}", imported.unmapped);
    let back = imported.template;
    assert_eq!(back.meta, template.meta);
    let inputs = |template: &Template| -> Vec<String> {
        template
            .blocks
            .iter()
            .flat_map(|block| match block {
                Block::Heading(heading) => vec![format!("# {} {:?}", heading.title, heading.kind)],
                Block::Include(path) => vec![format!("@ {path}")],
                Block::Line(pieces) => pieces
                    .iter()
                    .filter_map(|piece| match piece {
                        Piece::Text(_) => None,
                        Piece::Choice(options) => Some(format!(
                            "{:?}",
                            options.iter().map(|o| o.trim()).collect::<Vec<_>>()
                        )),
                        other => Some(format!("{other:?}")),
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .collect()
    };
    assert_eq!(inputs(&back), inputs(&template));
}
