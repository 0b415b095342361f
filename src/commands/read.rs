//! `bpt read`: a bid's values per worksheet.

use super::pipeline::bid_id;
use super::render::{DataFormat, json_or_err};
use super::{OK, Outcome, UNREADABLE};
use crate::model::MaBid;
use crate::reader;
use crate::report::BidId;
use crate::value::Value;
use std::path::Path;

/// The values of an overlay's extra cells (columns and fields the user's
/// workbook has and the base form does not), by field id.
pub fn extra_values(bid: &crate::reader::Bid) -> std::collections::BTreeMap<String, Value> {
    let Some(ov) = &bid.layout.overlay else {
        return Default::default();
    };
    bid.layout
        .fields
        .iter()
        .filter(|f| {
            ov.extras.iter().any(|x| match x.strip_suffix("[*]") {
                Some(prefix) => {
                    f.id.strip_prefix(prefix)
                        .is_some_and(|r| r.starts_with('['))
                }
                None => &f.id == x,
            })
        })
        .filter_map(|f| {
            let v = bid.values.get(&f.id);
            (!v.is_empty()).then(|| (f.id.clone(), v.clone()))
        })
        .collect()
}

/// The columns of `bpt read --format csv`: one row per field that holds a
/// value (an invalid cell shows its raw content and `invalid`).
const READ_HEADER: [&str; 7] = ["field", "sheet", "cell", "label", "role", "value", "status"];

/// `bpt read FILE [--format text|json|csv]`.
pub fn read(path: &Path, format: DataFormat) -> Outcome {
    let json = format == DataFormat::Json;
    let bid = match reader::read_bid(path) {
        Ok(b) => b,
        Err(e) => return Outcome::err(format!("bpt: {e}\n"), e.exit_code()),
    };
    if json && bid.layout.form.family != "ma" {
        // Forms without a typed model: every field by id.
        let doc = serde_json::json!({
            "path": path.display().to_string(),
            "template": bid.layout.form.id,
            "bid": bid_id(&bid),
            "values": bid.values,
        });
        return Outcome::out(json_or_err(&doc), OK);
    }
    if json {
        let model = MaBid::from_values(&bid.values);
        #[derive(serde::Serialize)]
        struct Doc<'a> {
            path: String,
            template: &'a str,
            bid: BidId,
            #[serde(flatten)]
            model: MaBid,
            /// An overlay's extra cells (not part of the form), by id.
            #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
            extra: std::collections::BTreeMap<String, Value>,
        }
        let doc = Doc {
            path: path.display().to_string(),
            template: &bid.layout.form.id,
            bid: bid_id(&bid),
            model,
            extra: extra_values(&bid),
        };
        return match serde_json::to_string_pretty(&doc) {
            Ok(s) => Outcome::out(s + "\n", OK),
            Err(e) => Outcome::err(format!("bpt: cannot write JSON: {e}\n"), UNREADABLE),
        };
    }
    if format == DataFormat::Csv {
        let rows = bid.layout.fields.iter().filter_map(|f| {
            let v = bid.values.get(&f.id);
            let (value, status) = match v {
                Value::Empty => return None,
                Value::Invalid(i) => (i.raw.clone(), "invalid"),
                o => (o.display(), "ok"),
            };
            Some([
                f.id.clone(),
                f.sheet.clone(),
                f.cell.to_string(),
                f.label.clone(),
                serde_json::to_value(f.role)
                    .ok()
                    .and_then(|r| r.as_str().map(String::from))
                    .unwrap_or_default(),
                crate::sanitize::bound_value(value),
                status.to_string(),
            ])
        });
        return Outcome::out(crate::sanitize::csv(&READ_HEADER, rows), OK);
    }
    // Text from the workbook is shown shortened, with visible escapes.
    use crate::sanitize::echo;
    let mut o = String::new();
    let id = bid_id(&bid);
    o.push_str(&format!(
        "{}: {} ({} {})\n",
        crate::sanitize::path(path),
        echo(&id.display()),
        bid.layout.form.title,
        bid.layout.form.contract_year
    ));
    let ident = &bid.layout.facts.identity;
    o.push_str(&format!(
        "  {} / {}\n",
        echo(bid.values.text(&ident.organization).unwrap_or("")),
        echo(bid.values.text(&ident.plan_name).unwrap_or(""))
    ));
    let extra = extra_values(&bid);
    if !extra.is_empty() {
        o.push_str(&format!(
            "  extra cells of this layout (read and reported only): {} filled\n",
            extra.len()
        ));
    }
    let mut invalid = Vec::new();
    for sheet in &bid.layout.sheets {
        let fields: Vec<_> = bid.layout.fields_on(&sheet.name).collect();
        let inputs = fields.iter().filter(|f| f.role.is_entered()).count();
        let filled = fields
            .iter()
            .filter(|f| f.role.is_entered() && !bid.values.get(&f.id).is_empty())
            .count();
        let calc = fields.iter().filter(|f| f.role.is_calculated()).count();
        o.push_str(&format!(
            "  {:<4} {:>5} of {:>5} entered cells filled, {:>5} calculated cells\n",
            sheet.name, filled, inputs, calc
        ));
        for f in fields {
            if let Value::Invalid(i) = bid.values.get(&f.id) {
                invalid.push(format!(
                    "    {} {} ({}): {}!{}: found `{}`, expected {}\n",
                    f.address(),
                    f.label,
                    f.id,
                    echo(&i.sheet),
                    echo(&i.cell),
                    echo(&i.raw),
                    i.expected
                ));
            }
        }
    }
    let figures = &bid.layout.facts.key_figures;
    let w = figures
        .iter()
        .map(|k| k.label.chars().count())
        .max()
        .unwrap_or(0);
    for k in figures {
        let (label, id) = (&k.label, &k.id);
        if let Some(d) = bid.values.num(id) {
            o.push_str(&format!("  {label:<w$} {}\n", d.round_dp(2)));
        }
    }
    if invalid.is_empty() {
        o.push_str("  no invalid values\n");
    } else {
        o.push_str(&format!("  {} invalid value(s):\n", invalid.len()));
        for l in invalid {
            o.push_str(&l);
        }
    }
    o.push_str("  (--format json or csv for every field)\n");
    Outcome::out(o, OK)
}
