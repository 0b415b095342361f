//! The plain-text report of a reallocation, in the layout of the Appendix E
//! tables.

use super::*;

fn cell(d: Decimal) -> String {
    money(d)
}

impl fmt::Display for Reallocation {
    /// A plain-text report in the layout of the Appendix E tables: one row
    /// per WS6 line, one column for June, after the benchmark, and each
    /// option; then the explanation.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let outcome = match self.outcome {
            Outcome::Required => "required",
            Outcome::Permitted => "permitted",
            Outcome::NotNeeded => "not needed (already at the target)",
            Outcome::NotApplicable => "not applicable (no MA rebate in June)",
            Outcome::NotPermitted => "not permitted",
        };
        writeln!(
            f,
            "Rebate reallocation (CMS Appendix E): {}",
            self.plan_class
        )?;
        writeln!(f, "Reallocation: {outcome}")?;
        writeln!(
            f,
            "Premium rounding: {}",
            if self.premium_rounding_permitted {
                "permitted"
            } else {
                "not permitted"
            }
        )?;
        if !self.rules.is_empty() {
            writeln!(f, "Rules:")?;
            for r in &self.rules {
                writeln!(f, "  {r}. {}", r.title())?;
            }
        }
        if let Some(t) = self.target {
            writeln!(f, "Target Part D basic premium: {}", money(t))?;
        }
        writeln!(f)?;
        let mut cols: Vec<(String, &Figures)> = vec![
            ("June".into(), &self.june),
            ("After benchmark".into(), &self.after_benchmark),
        ];
        for (n, o) in self.options.iter().enumerate() {
            cols.push((format!("Option {}", n.saturating_add(1)), &o.figures));
        }
        type Row = (&'static str, fn(&Figures) -> Decimal);
        let rows: [Row; 15] = [
            ("IIIB 1  Total MA rebate", |x| x.ma_rebate),
            ("IIIB 2  Reduce A/B cost sharing", |x| {
                x.allocations.reduce_cost_sharing
            }),
            ("IIIB 3  Other A/B mandatory suppl.", |x| {
                x.allocations.other_supplemental
            }),
            ("IIIB 4  Part B premium", |x| x.allocations.part_b),
            ("IIIB 5  Part D basic premium (7c)", |x| {
                x.allocations.part_d_basic
            }),
            ("IIIB 6  Part D suppl. premium (8c)", |x| {
                x.allocations.part_d_supplemental
            }),
            ("IIIB 7  Total rebate allocated", |x| x.total_allocated),
            ("        Unallocated", |x| x.unallocated),
            ("IIIC 3  A/B mandatory suppl. premium", |x| x.ms_premium),
            ("IIIC 4  Basic MA premium", |x| x.basic_ma_premium),
            ("IIIC 6  Rounded MA premium", |x| x.rounded_ma_premium),
            ("IIIC 7a Part D basic before rebates", |x| {
                x.part_d_basic_before
            }),
            ("IIIC 7d Part D basic premium", |x| x.part_d_basic_premium),
            ("IIIC 8d Part D suppl. premium", |x| x.part_d_supp_premium),
            ("IIIC 9  Total plan premium", |x| x.total_plan_premium),
        ];
        write!(f, "{:<38}", "WS6 line")?;
        for (h, _) in &cols {
            write!(f, "{h:>16}")?;
        }
        writeln!(f)?;
        for (label, get) in rows {
            write!(f, "{label:<38}")?;
            for (_, c) in &cols {
                write!(f, "{:>16}", cell(get(c)))?;
            }
            writeln!(f)?;
        }
        writeln!(f)?;
        for l in &self.explanation {
            writeln!(f, "- {l}")?;
        }
        for o in &self.options {
            writeln!(f)?;
            writeln!(f, "{}", o.label)?;
            for l in &o.explanation {
                writeln!(f, "  - {l}")?;
            }
            if let Some(r) = &o.rounding {
                writeln!(
                    f,
                    "  Premium rounding ({}):",
                    if r.permitted {
                        "permitted"
                    } else {
                        "not permitted"
                    }
                )?;
                for l in &r.explanation {
                    writeln!(f, "    - {l}")?;
                }
            }
        }
        Ok(())
    }
}
