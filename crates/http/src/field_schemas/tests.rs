//! Each pattern checked against the parser it describes, on values either side of every limit.

use super::*;
use regex::Regex;
use switchboard_domain::contacts::model::ContactQuery;
use switchboard_domain::numbers::model::{E164, InboxName, MetaId};
use switchboard_domain::outbound::content::{is_language_code, is_template_name, is_wamid};
use switchboard_domain::users::model::{DisplayName, Username};

/// Edge cases of trimming, control characters, separators and lengths, plus each of them
/// wrapped in every kind of whitespace.
fn samples() -> Vec<String> {
    let base = [
        "",
        " ",
        "\t\n",
        "a",
        "ab",
        "abc",
        "Ana Lima",
        " Ana ",
        "\tAna\n",
        "A\tna",
        "A\u{7}na",
        "\u{85}Ana\u{a0}",
        "\u{3000}Ana\u{2028}",
        "\u{feff}Ana",
        "ana.lima@x_y-z",
        "ana lima",
        "ANA",
        "+16505551234",
        "+1 (650) 555-1234",
        " ( +1 650.555.1234 ) ",
        "(\t+16505551234",
        "+1650555\t1234",
        "+06505551234",
        "+1234567",
        "+12345678",
        "+123456789012345",
        "+1234567890123456",
        "++16505551234",
        "16505551234",
        "0",
        "106540352242922",
        " 123 ",
        "12 3",
        "\u{1}",
        "😀",
        " 😀 ",
    ];
    let mut all: Vec<String> = base.iter().map(|s| (*s).to_owned()).collect();
    for len in [31, 32, 33, 63, 64, 65, 99, 100, 101] {
        all.push("x".repeat(len));
        all.push(format!(" {} ", "x".repeat(len)));
        all.push("7".repeat(len));
    }
    for ws in [
        "\t", "\n", "\u{b}", " ", "\u{85}", "\u{a0}", "\u{2009}", "\u{202f}",
    ] {
        for s in base {
            all.push(format!("{ws}{s}{ws}"));
        }
    }
    all
}

fn agrees(pattern: &str, parse: impl Fn(&str) -> bool) {
    let regex = Regex::new(pattern).unwrap();
    for sample in samples() {
        assert_eq!(
            regex.is_match(&sample),
            parse(&sample),
            "{pattern} and the parser disagree on {sample:?}"
        );
    }
}

#[test]
fn bounded_text_patterns_accept_what_the_name_parsers_accept() {
    agrees(&bounded_text_pattern(DisplayName::MAX_LEN), |s| {
        DisplayName::parse(s).is_ok()
    });
    agrees(&bounded_text_pattern(InboxName::MAX_LEN), |s| {
        InboxName::parse(s).is_ok()
    });
}

#[test]
fn the_contact_name_pattern_accepts_a_name_or_blank() {
    agrees(&name_or_blank_pattern(DisplayName::MAX_LEN), |s| {
        s.trim().is_empty() || DisplayName::parse(s).is_ok()
    });
}

#[test]
fn the_contact_query_pattern_accepts_what_contact_query_parse_accepts() {
    agrees(&name_or_blank_pattern(ContactQuery::MAX_LEN), |s| {
        ContactQuery::parse(s).is_ok()
    });
}

#[test]
fn the_username_pattern_accepts_what_username_parse_accepts() {
    agrees(&username_pattern(), |s| Username::parse(s).is_ok());
}

#[test]
fn the_e164_pattern_accepts_what_e164_parse_accepts() {
    agrees(&e164_pattern(), |s| E164::parse("to", s).is_ok());
}

#[test]
fn the_meta_id_pattern_accepts_what_meta_id_parse_accepts() {
    agrees(&meta_id_pattern(), |s| MetaId::parse("id", s).is_ok());
}

#[test]
fn the_domain_checks_accept_what_their_patterns_match() {
    let mut all = samples();
    all.extend(
        [
            "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
            "wamid.",
            "wamid.a-b_c",
            "wamid.a b",
            "wamid.\u{e9}",
            "en_US",
            "pt-BR",
            " en",
            "1767225600000.42",
            "-5.-7",
            "+5.3",
            "1.",
            ".1",
            "1234567890123456.1",
            "123456789012345.123456789012345678",
            "1.1234567890123456789",
            "me",
            "unassigned",
            "-12",
            "007",
            "+3",
            "9223372036854775807",
        ]
        .map(str::to_owned),
    );
    all.push(format!("wamid.{}", "a".repeat(MAX_WAMID_BODY)));
    all.push(format!("wamid.{}", "a".repeat(MAX_WAMID_BODY + 1)));
    all.extend(["order_update_2", "Order", "a-b"].map(str::to_owned));
    all.push("a".repeat(MAX_TEMPLATE_NAME));
    all.push("a".repeat(MAX_TEMPLATE_NAME + 1));
    type Check<'a> = &'a dyn Fn(&str) -> bool;
    let checks: [(String, Check<'_>); 5] = [
        (wamid_pattern(), &is_wamid),
        (language_code_pattern(), &is_language_code),
        (template_name_pattern(), &is_template_name),
        (cursor_pattern(), &|s| cursor_parts(s).is_some()),
        (assignee_pattern(), &|s| {
            matches!(s, "me" | "unassigned") || assignee_user_id(s).is_some()
        }),
    ];
    for (pattern, check) in checks {
        let regex = Regex::new(&pattern).unwrap();
        for sample in &all {
            assert_eq!(
                regex.is_match(sample),
                check(sample),
                "{pattern}: {sample:?}"
            );
        }
    }
}

#[test]
fn the_not_blank_pattern_finds_what_trim_leaves() {
    agrees(&not_blank_pattern(), |s| !s.trim().is_empty());
}
