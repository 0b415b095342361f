//! Sample bids: plausible, internally consistent CY2013 MA bids made by code.
//!
//! A [`Profile`] describes a plan (type, size, DE# share, star rating,
//! service area, cost level, rebate strategy). [`generate`] turns it into the
//! values of every input cell, then runs the recalculation so every
//! calculated cell holds `bpt`'s own value. Generation is deterministic: the
//! same profile always gives the same values (variation across counties comes
//! from a fixed-seed generator keyed on the profile name).

use crate::template::Layout;
use crate::value::{Value, Values};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// A plan to generate a bid for.
#[derive(Debug, Clone)]
pub struct Profile {
    /// File stem, e.g. `hmo-mapd-2013`.
    pub name: &'static str,
    /// One-line description for the sample index.
    pub description: &'static str,
    /// Contract number (`H1234`).
    pub contract: &'static str,
    /// Plan ID (`001`).
    pub plan_id: &'static str,
    /// Segment ID (`000`).
    pub segment: &'static str,
    /// Organization name.
    pub organization: &'static str,
    /// Plan name.
    pub plan_name: &'static str,
    /// Plan type code (`HMO`, `RPPO`, …).
    pub plan_type: &'static str,
    /// Offers Part D.
    pub ma_pd: bool,
    /// SNP type, when a SNP.
    pub snp_type: Option<&'static str>,
    /// MA region for RPPOs (`"07"`).
    pub region: Option<&'static str>,
    /// Base period member months (0 for a new plan).
    pub base_mm: Decimal,
    /// Share of base and projected member months that are DE#.
    pub de_share: Decimal,
    /// Projected member months (whole service area).
    pub projected_mm: Decimal,
    /// Projected average risk score.
    pub risk: Decimal,
    /// CMS star rating.
    pub star: Decimal,
    /// CMS new/low indicator text ("" when blank).
    pub new_low: &'static str,
    /// MSP adjustment.
    pub msp: Decimal,
    /// Service area: (SSA state code, state abbreviation, county names in
    /// SSA code order) for each state, filled in order.
    pub states: &'static [State],
    /// Number of counties in the service area.
    pub counties: usize,
    /// Regional PPO: statutory component, its weight, and the plan bid
    /// component (`None`: left blank in the June bid).
    pub rppo: Option<(Decimal, Decimal, Option<Decimal>)>,
    /// Additional unspecified benefits PMPM (800-series, WS4 Sec IV).
    pub egwp_additional: Decimal,
    /// Optional supplemental packages on WS7.
    pub osb_packages: usize,
    /// Average county ratebook rate.
    pub ratebook: Decimal,
    /// Multiplier on the standard allowed-cost table.
    pub cost_level: Decimal,
    /// Whether the plan has out-of-network cost sharing.
    pub oon: bool,
    /// Gain/loss margin PMPM.
    pub margin: Decimal,
    /// Part B premium buydown wanted (dollars, before rounding).
    pub part_b_buydown: Decimal,
    /// Part D basic premium before rebates (MA-PD only).
    pub part_d_basic: Decimal,
    /// Part D supplemental premium before rebates (MA-PD only).
    pub part_d_supp: Decimal,
}

/// The shipped sample profiles.
pub fn profiles() -> Vec<Profile> {
    let hmo = hmo_mapd();
    vec![
        hmo.clone(),
        Profile {
            name: "hmopos-oon-2013",
            description: "HMO-POS MA-PD, 3.5 stars, out-of-network cost sharing on WS3 and OON % on WS2",
            contract: "H3456",
            plan_id: "004",
            plan_name: "Buckeye Medicare Advantage Choice (HMO-POS)",
            plan_type: "HMOPOS",
            star: dec!(3.5),
            oon: true,
            base_mm: dec!(46000),
            projected_mm: dec!(48500),
            de_share: dec!(0.08),
            ..hmo.clone()
        },
        Profile {
            name: "lppo-2013",
            description: "Local PPO MA-PD, 4.0 stars, DE# 35 % of member months (distinct non-DE#/DE# costs)",
            contract: "H4567",
            plan_id: "002",
            organization: "Great Lakes Senior Health, Inc.",
            plan_name: "Great Lakes Medicare Open Access (PPO)",
            plan_type: "LPPO",
            star: dec!(4.0),
            oon: true,
            base_mm: dec!(61000),
            projected_mm: dec!(64000),
            de_share: dec!(0.35),
            states: &[INDIANA_STATE],
            counties: 20,
            ratebook: dec!(812),
            ..hmo.clone()
        },
        Profile {
            name: "rppo-region13-2013",
            description: "Regional PPO, MA region 13 (Indiana and Kentucky), statutory component weighted with the \
                          plan's own standardized bid (plan bid component left blank in June)",
            contract: "R5678",
            plan_id: "001",
            organization: "Heartland Regional Health Plan, Inc.",
            plan_name: "Heartland Medicare Regional (Regional PPO)",
            plan_type: "RPPO",
            region: Some("13"),
            star: dec!(3.5),
            oon: true,
            base_mm: dec!(38000),
            projected_mm: dec!(41000),
            de_share: dec!(0.06),
            states: &[INDIANA_STATE, KENTUCKY_STATE],
            counties: 132,
            ratebook: dec!(798),
            rppo: Some((dec!(805.40), dec!(0.624), None)),
            ..hmo.clone()
        },
        Profile {
            name: "pffs-ma-only-2013",
            description: "PFFS MA-only plan (no Part D: no rebate may go to Part D), 3.0 stars",
            contract: "H6789",
            plan_id: "010",
            organization: "Prairie Fee-for-Service Health, Inc.",
            plan_name: "Prairie Medicare Private Fee-for-Service",
            plan_type: "PFFS",
            ma_pd: false,
            star: dec!(3.0),
            oon: true,
            base_mm: dec!(9800),
            projected_mm: dec!(11000),
            de_share: dec!(0.05),
            states: &[INDIANA_STATE],
            counties: 30,
            ratebook: dec!(815),
            part_b_buydown: dec!(5.00),
            ..hmo.clone()
        },
        Profile {
            name: "egwp-800-2013",
            description: "800-series employer group waiver plan (EGWP) with additional unspecified benefits \
                          (WS4 Sec IV); nothing allocated to Part D",
            plan_id: "801",
            plan_name: "Buckeye Retiree Medicare Advantage (HMO) - Employer Group",
            ma_pd: false,
            base_mm: dec!(28000),
            projected_mm: dec!(29500),
            de_share: dec!(0.02),
            egwp_additional: dec!(12.50),
            part_b_buydown: Decimal::ZERO,
            ..hmo.clone()
        },
        Profile {
            name: "dsnp-2013",
            description: "Dual-eligible SNP, DE# 96 % of member months (non-DE#/DE# costs equal to the total, \
                          as allowed above 90 %)",
            plan_id: "020",
            plan_name: "Buckeye Dual Complete (HMO SNP)",
            snp_type: Some("Dual-Eligible"),
            base_mm: dec!(21000),
            projected_mm: dec!(23000),
            de_share: dec!(0.96),
            risk: dec!(1.32),
            cost_level: dec!(1.18),
            margin: dec!(18.00),
            part_b_buydown: Decimal::ZERO,
            ..hmo.clone()
        },
        Profile {
            name: "hmo-basic-premium-2013",
            description: "HMO MA-PD whose bid exceeds the benchmark: basic member premium > 0, no rebate",
            plan_id: "030",
            plan_name: "Buckeye Medicare Advantage Premier (HMO)",
            star: dec!(3.0),
            ratebook: dec!(700),
            cost_level: dec!(1.12),
            base_mm: dec!(15500),
            projected_mm: dec!(16000),
            ..hmo.clone()
        },
        Profile {
            name: "low-enrollment-2013",
            description: "Low-enrollment contract (new/low indicator \"Low\"): 3.0 stars but the 73⅓ % rebate level",
            contract: "H7890",
            plan_id: "001",
            organization: "Valley Community Health Plan",
            plan_name: "Valley Medicare Advantage (HMO)",
            star: dec!(3.0),
            new_low: "Low",
            base_mm: dec!(2400),
            projected_mm: dec!(2600),
            states: &[OHIO_STATE],
            counties: 3,
            ..hmo.clone()
        },
        Profile {
            name: "new-parent-2013",
            description: "New contract under a new parent organization: 3.0 stars for QBP, the 71⅔ % rebate level",
            contract: "H8901",
            plan_id: "001",
            organization: "Lakeshore Health Partners, LLC",
            plan_name: "Lakeshore Medicare Advantage (HMO)",
            star: dec!(3.0),
            new_low: "New contract under new parent org",
            base_mm: Decimal::ZERO,
            projected_mm: dec!(6000),
            counties: 5,
            ..hmo.clone()
        },
        Profile {
            name: "new-plan-manual-2013",
            description: "New plan with no base period experience: fully manual rate (credibility 0 %)",
            plan_id: "040",
            plan_name: "Buckeye Medicare Advantage Value (HMO)",
            base_mm: Decimal::ZERO,
            projected_mm: dec!(8500),
            ..hmo.clone()
        },
        Profile {
            name: "osb-many-counties-2013",
            description: "HMO MA-PD over 160 counties of Ohio and Indiana with three optional supplemental \
                          packages on WS7",
            contract: "H9012",
            plan_id: "003",
            organization: "Tri-State Health Alliance, Inc.",
            plan_name: "Tri-State Medicare Advantage Plus (HMO)",
            base_mm: dec!(182000),
            projected_mm: dec!(190000),
            states: &[OHIO_STATE, INDIANA_STATE],
            counties: 160,
            osb_packages: 3,
            ..hmo
        },
    ]
}

fn hmo_mapd() -> Profile {
    Profile {
        name: "hmo-mapd-2013",
        description: "Local HMO MA-PD, 4.5 stars, 12.5 % DE#, fully credible base period, \
                      bid below benchmark; rebates buy down Part B and Part D",
        contract: "H3456",
        plan_id: "001",
        segment: "000",
        organization: "Buckeye Health Plan of Ohio, Inc.",
        plan_name: "Buckeye Medicare Advantage Select (HMO)",
        plan_type: "HMO",
        ma_pd: true,
        snp_type: None,
        region: None,
        base_mm: dec!(120000),
        de_share: dec!(0.125),
        projected_mm: dec!(126000),
        risk: dec!(1.045),
        star: dec!(4.5),
        new_low: "",
        msp: dec!(0.0125),
        states: &[OHIO_STATE],
        counties: 12,
        rppo: None,
        egwp_additional: Decimal::ZERO,
        osb_packages: 0,
        ratebook: dec!(880),
        cost_level: dec!(1.00),
        oon: false,
        margin: dec!(26.50),
        part_b_buydown: dec!(10.00),
        part_d_basic: dec!(38.40),
        part_d_supp: dec!(14.20),
    }
}

/// Looks a profile up by name.
pub fn profile(name: &str) -> Option<Profile> {
    profiles().into_iter().find(|p| p.name == name)
}

/// A state of a service area: SSA state code, abbreviation, county names.
pub type State = (&'static str, &'static str, &'static [&'static str]);

/// Ohio (SSA state code 36).
pub const OHIO_STATE: State = ("36", "OH", OHIO);
/// Indiana (SSA state code 15).
pub const INDIANA_STATE: State = ("15", "IN", INDIANA);
/// Kentucky (SSA state code 18).
pub const KENTUCKY_STATE: State = ("18", "KY", KENTUCKY);

/// Indiana counties in SSA code order.
pub const INDIANA: &[&str] = &[
    "Adams",
    "Allen",
    "Bartholomew",
    "Benton",
    "Blackford",
    "Boone",
    "Brown",
    "Carroll",
    "Cass",
    "Clark",
    "Clay",
    "Clinton",
    "Crawford",
    "Daviess",
    "Dearborn",
    "Decatur",
    "DeKalb",
    "Delaware",
    "Dubois",
    "Elkhart",
    "Fayette",
    "Floyd",
    "Fountain",
    "Franklin",
    "Fulton",
    "Gibson",
    "Grant",
    "Greene",
    "Hamilton",
    "Hancock",
    "Harrison",
    "Hendricks",
    "Henry",
    "Howard",
    "Huntington",
    "Jackson",
    "Jasper",
    "Jay",
    "Jefferson",
    "Jennings",
    "Johnson",
    "Knox",
    "Kosciusko",
    "LaGrange",
    "Lake",
    "LaPorte",
    "Lawrence",
    "Madison",
    "Marion",
    "Marshall",
    "Martin",
    "Miami",
    "Monroe",
    "Montgomery",
    "Morgan",
    "Newton",
    "Noble",
    "Ohio",
    "Orange",
    "Owen",
    "Parke",
    "Perry",
    "Pike",
    "Porter",
    "Posey",
    "Pulaski",
    "Putnam",
    "Randolph",
    "Ripley",
    "Rush",
    "St. Joseph",
    "Scott",
    "Shelby",
    "Spencer",
    "Starke",
    "Steuben",
    "Sullivan",
    "Switzerland",
    "Tippecanoe",
    "Tipton",
    "Union",
    "Vanderburgh",
    "Vermillion",
    "Vigo",
    "Wabash",
    "Warren",
    "Warrick",
    "Washington",
    "Wayne",
    "Wells",
    "White",
    "Whitley",
];

/// Kentucky counties (the first 40 in SSA code order: enough for the samples).
pub const KENTUCKY: &[&str] = &[
    "Adair",
    "Allen",
    "Anderson",
    "Ballard",
    "Barren",
    "Bath",
    "Bell",
    "Boone",
    "Bourbon",
    "Boyd",
    "Boyle",
    "Bracken",
    "Breathitt",
    "Breckinridge",
    "Bullitt",
    "Butler",
    "Caldwell",
    "Calloway",
    "Campbell",
    "Carlisle",
    "Carroll",
    "Carter",
    "Casey",
    "Christian",
    "Clark",
    "Clay",
    "Clinton",
    "Crittenden",
    "Cumberland",
    "Daviess",
    "Edmonson",
    "Elliott",
    "Estill",
    "Fayette",
    "Fleming",
    "Floyd",
    "Franklin",
    "Fulton",
    "Gallatin",
    "Garrard",
];

/// Ohio counties in SSA code order (state code 36).
pub const OHIO: &[&str] = &[
    "Adams",
    "Allen",
    "Ashland",
    "Ashtabula",
    "Athens",
    "Auglaize",
    "Belmont",
    "Brown",
    "Butler",
    "Carroll",
    "Champaign",
    "Clark",
    "Clermont",
    "Clinton",
    "Columbiana",
    "Coshocton",
    "Crawford",
    "Cuyahoga",
    "Darke",
    "Defiance",
    "Delaware",
    "Erie",
    "Fairfield",
    "Fayette",
    "Franklin",
    "Fulton",
    "Gallia",
    "Geauga",
    "Greene",
    "Guernsey",
    "Hamilton",
    "Hancock",
    "Hardin",
    "Harrison",
    "Henry",
    "Highland",
    "Hocking",
    "Holmes",
    "Huron",
    "Jackson",
    "Jefferson",
    "Knox",
    "Lake",
    "Lawrence",
    "Licking",
    "Logan",
    "Lorain",
    "Lucas",
    "Madison",
    "Mahoning",
    "Marion",
    "Medina",
    "Meigs",
    "Mercer",
    "Miami",
    "Monroe",
    "Montgomery",
    "Morgan",
    "Morrow",
    "Muskingum",
    "Noble",
    "Ottawa",
    "Paulding",
    "Perry",
    "Pickaway",
    "Pike",
    "Portage",
    "Preble",
    "Putnam",
    "Richland",
    "Ross",
    "Sandusky",
    "Scioto",
    "Seneca",
    "Shelby",
    "Stark",
    "Summit",
    "Trumbull",
    "Tuscarawas",
    "Union",
    "Van Wert",
    "Vinton",
    "Warren",
    "Washington",
    "Wayne",
    "Williams",
    "Wood",
    "Wyandot",
];

/// A small deterministic generator (xorshift64*), seeded from a name.
/// The samples' deterministic generator (xorshift64*, seeded by a name).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: &str) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in seed.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A decimal in [lo, hi] with `dp` decimal places.
    pub(crate) fn dec(&mut self, lo: Decimal, hi: Decimal, dp: u32) -> Decimal {
        let unit = Decimal::from(self.next() % 1_000_001) / dec!(1000000);
        round(lo + (hi - lo) * unit, dp)
    }
}

/// Standard base-period allowed PMPM, utilization per 1,000, utilization
/// type and net/allowed ratio per service category (lines a–r).
const BASE: &[(&str, Decimal, Decimal, &str, Decimal)] = &[
    ("a", dec!(268.40), dec!(1180), "D", dec!(0.955)),
    ("b", dec!(44.10), dec!(640), "D", dec!(0.930)),
    ("c", dec!(21.75), dec!(1450), "V", dec!(1.000)),
    ("d", dec!(9.30), dec!(185), "T", dec!(0.880)),
    ("e", dec!(14.20), dec!(1320), "O", dec!(0.820)),
    ("f", dec!(29.60), dec!(330), "V", dec!(0.800)),
    ("g", dec!(47.80), dec!(290), "P", dec!(0.870)),
    ("h", dec!(61.90), dec!(2250), "P", dec!(0.850)),
    ("i", dec!(187.30), dec!(14200), "V", dec!(0.880)),
    ("j", dec!(39.70), dec!(1150), "S", dec!(0.830)),
    ("k", dec!(18.20), dec!(940), "O", dec!(0.850)),
    ("l", dec!(1.90), dec!(110), "T", dec!(1.000)),
    ("m", dec!(6.10), dec!(720), "P", dec!(0.950)),
    ("n", dec!(3.05), dec!(310), "V", dec!(0.850)),
    ("o", dec!(2.15), dec!(55), "P", dec!(0.900)),
    ("p", dec!(1.45), dec!(480), "O", dec!(1.000)),
    ("q", dec!(0.95), dec!(95), "O", dec!(1.000)),
    ("r", dec!(-2.80), dec!(0), "", dec!(1.000)),
];

/// WS3 cost-sharing lines: key, unit, util/1,000 (or PMPM for Coin), copay
/// (or coinsurance), in-network description, share of util out of network.
/// WS3 lines of service categories the samples price on WS2 without cost
/// sharing: described as $0, as the instructions ask ("Even if there is no
/// cost sharing for a particular service category, you must enter a
/// comment indicating the zero cost-sharing arrangement").
const NO_COST_SHARING: &[(&str, &str)] = &[
    ("c1", "(6a) $0 home health"),
    ("l1", "(10b) $0 routine transportation"),
    ("o1", "(18a) $0 routine hearing exam"),
    ("p1", "(14c) $0 health education"),
    ("q1", "$0.00"),
];

const COST_SHARING: &[(&str, &str, Decimal, Decimal, &str)] = &[
    ("a1", "A", dec!(212), dec!(250), "(1a) $250 per admission"),
    (
        "b1",
        "D",
        dec!(560),
        dec!(25),
        "(2) $0 days 1-20, $25/day days 21-100",
    ),
    ("d1", "T", dec!(185), dec!(75), "(10a) $75 per one-way trip"),
    (
        "e1",
        "Coin",
        dec!(14.20),
        dec!(0.20),
        "(11a-c) 20% coinsurance",
    ),
    (
        "f1",
        "V",
        dec!(330),
        dec!(65),
        "(4a) $65 per ER visit, waived if admitted",
    ),
    (
        "g1",
        "P",
        dec!(290),
        dec!(100),
        "(9a) $100 per outpatient surgery",
    ),
    (
        "h1",
        "P",
        dec!(2250),
        dec!(10),
        "(8b) $10 per lab/x-ray service",
    ),
    ("i1", "V", dec!(8600), dec!(10), "(7a) $10 PCP visit"),
    ("i2", "V", dec!(5400), dec!(35), "(7d) $35 specialist visit"),
    (
        "j1",
        "Coin",
        dec!(39.70),
        dec!(0.20),
        "(15) 20% of Part B drugs",
    ),
    (
        "k1",
        "Coin",
        dec!(18.20),
        dec!(0.20),
        "(8a, 12) 20% coinsurance",
    ),
    ("m1", "P", dec!(720), dec!(0), "(16a) $0 preventive dental"),
    ("n1", "V", dec!(310), dec!(0), "(17a) $0 routine eye exam"),
];

/// The per-service-category Medicare-covered share of allowed costs
/// (WS4 col i) and of cost sharing (col j), lines a–k and r.
const COVERED: &[(&str, Decimal, Decimal)] = &[
    ("a", dec!(0.988), dec!(1.000)),
    ("b", dec!(1.000), dec!(1.000)),
    ("c", dec!(1.000), dec!(1.000)),
    ("d", dec!(1.000), dec!(1.000)),
    ("e", dec!(1.000), dec!(1.000)),
    ("f", dec!(0.9950), dec!(0.9803)),
    ("g", dec!(1.000), dec!(1.000)),
    ("h", dec!(1.000), dec!(1.000)),
    ("i", dec!(0.996), dec!(0.990)),
    ("j", dec!(1.000), dec!(1.000)),
    ("k", dec!(0.985), dec!(1.000)),
    ("r", dec!(1.000), dec!(1.000)),
];

fn is_egwp(p: &Profile) -> bool {
    p.plan_id.parse::<u32>().is_ok_and(|n| n >= 800)
}

pub(crate) fn put(v: &mut Values, id: &str, d: Decimal) {
    v.set(id, Value::Number(d));
}

pub(crate) fn put_text(v: &mut Values, id: &str, s: &str) {
    if !s.is_empty() {
        v.set(id, Value::Text(s.to_string()));
    }
}

pub(crate) fn date(y: i32, m: u32, d: u32) -> Value {
    NaiveDate::from_ymd_opt(y, m, d).map_or(Value::Empty, Value::Date)
}

/// Generates a complete bid: every input, then every calculated value.
pub fn generate(p: &Profile, layout: &Layout) -> Values {
    let mut rng = Rng::new(p.name);
    let mut v = Values::default();
    general(p, &mut v);
    base_period(p, &mut v);
    counties(p, &mut rng, &mut v);
    manual_and_projection(p, &mut v);
    cost_sharing(p, &mut v);
    revenue_requirement(p, &mut v);
    benchmark_inputs(p, &mut v);
    contacts(p, &mut v);
    osb(p, &mut v);
    // The shipped templates compile (`form` tests); a layout that did not
    // would leave its calculated cells blank.
    let Ok(form) = crate::form::compiled(layout) else {
        return v;
    };
    // First pass: projected allowed costs give the non-DE#/DE# split.
    let first = crate::form::recalc(&form, &v).values;
    de_split(p, &first, &mut v);
    // Second pass: the rebate is known; allocate it.
    let second = crate::form::recalc(&form, &v).values;
    allocate_rebate(p, &second, &mut v);
    finish(layout, v)
}

/// Excel's ROUND to `dp` decimals (half away from zero).
pub(crate) fn round(d: Decimal, dp: u32) -> Decimal {
    crate::form::eval::round(d, i64::from(dp))
}

/// Inputs plus the value of every calculated field, as the template's
/// formulas give it (inputs alone when the layout's formulas do not
/// compile: never for a shipped template).
pub fn finish(layout: &Layout, inputs: Values) -> Values {
    let Ok(form) = crate::form::compiled(layout) else {
        return inputs;
    };
    let r = crate::form::recalc(&form, &inputs);
    let mut all = inputs;
    for (id, val) in r.values.iter_unordered() {
        all.set(id, val.clone());
    }
    all
}

fn general(p: &Profile, v: &mut Values) {
    put_text(v, "ws1.general.contract_number", p.contract);
    put_text(v, "ws1.general.plan_id", p.plan_id);
    put_text(v, "ws1.general.segment_id", p.segment);
    put(v, "ws1.general.contract_year", dec!(2013));
    put_text(v, "ws1.general.organization_name", p.organization);
    put_text(v, "ws1.general.plan_name", p.plan_name);
    put_text(v, "ws1.general.plan_type", p.plan_type);
    put_text(v, "ws1.general.ma_pd", if p.ma_pd { "Y" } else { "N" });
    put_text(v, "ws1.general.enrollee_type", "A/B");
    if let Some(r) = p.region {
        put_text(v, "ws1.general.ma_region", r);
    }
    put_text(v, "ws1.general.swap_equivalence", "N");
    put_text(
        v,
        "ws1.general.snp",
        if p.snp_type.is_some() { "Y" } else { "N" },
    );
    if let Some(t) = p.snp_type {
        put_text(v, "ws1.general.snp_type", t);
    }
}

fn base_period(p: &Profile, v: &mut Values) {
    v.set("ws1.base_period.incurred_from", date(2011, 1, 1));
    v.set("ws1.base_period.incurred_to", date(2011, 12, 31));
    if p.base_mm.is_zero() {
        put_text(
            v,
            "ws1.base_period.description",
            "New plan for 2013: no base period experience; projected from manual rates.",
        );
        // "The member months fields must not be left blank."
        put(v, "ws1.base_period.mm_total", Decimal::ZERO);
        put(v, "ws1.base_period.mm_non_de", Decimal::ZERO);
        return;
    }
    v.set("ws1.base_period.paid_through", date(2012, 3, 31));
    let mm = p.base_mm;
    let non_de = round(mm * (Decimal::ONE - p.de_share), 0);
    put(v, "ws1.base_period.mm_total", mm);
    put(v, "ws1.base_period.mm_non_de", non_de);
    put(v, "ws1.base_period.risk_total", dec!(1.012));
    put(v, "ws1.base_period.risk_non_de", dec!(0.968));
    put(v, "ws1.base_period.completion_factor", dec!(1.018));
    let main_mm = round(mm * dec!(0.85), 0);
    put_text(
        v,
        "ws1.plans_in_base.contract_plan[a]",
        &format!("{}-{}", p.contract, p.plan_id),
    );
    put(v, "ws1.plans_in_base.mm[a]", main_mm);
    put_text(
        v,
        "ws1.plans_in_base.contract_plan[b]",
        &format!("{}-009", p.contract),
    );
    put(v, "ws1.plans_in_base.mm[b]", mm - main_mm);
    put_text(
        v,
        "ws1.base_period.description",
        "Plan 009 was consolidated into this plan for 2012 (HPMS crosswalk); no service area change.",
    );
    let lvl = p.cost_level;
    let mut allowed_total = Decimal::ZERO;
    let mut net_total = Decimal::ZERO;
    for (k, allowed, util, _, net_ratio) in BASE {
        let a = round(*allowed * lvl, 2);
        let n = round(a * *net_ratio, 2);
        put(v, &format!("ws1.base.allowed_pmpm[{k}]"), a);
        put(v, &format!("ws1.base.net_pmpm[{k}]"), n);
        if *k != "r" {
            put(v, &format!("ws1.base.util_per_1000[{k}]"), *util);
        }
        allowed_total += a;
        net_total += n;
    }
    // Section VI in total dollars, consistent with Section III.
    let esrd_mm = round(mm * dec!(0.006), 0);
    let hospice_mm = round(mm * dec!(0.004), 0);
    let other_rev = round(mm * (net_total + dec!(92.40)), 0);
    put(
        v,
        "ws1.summary.esrd[cms_revenue]",
        round(esrd_mm * dec!(6480), 0),
    );
    put(
        v,
        "ws1.summary.hospice[cms_revenue]",
        round(hospice_mm * dec!(640), 0),
    );
    put(
        v,
        "ws1.summary.other[cms_revenue]",
        round(other_rev * dec!(0.96), 0),
    );
    put(
        v,
        "ws1.summary.esrd[premium_revenue]",
        round(esrd_mm * dec!(32), 0),
    );
    put(
        v,
        "ws1.summary.hospice[premium_revenue]",
        round(hospice_mm * dec!(32), 0),
    );
    put(
        v,
        "ws1.summary.other[premium_revenue]",
        round(other_rev * dec!(0.04), 0),
    );
    put(
        v,
        "ws1.summary.esrd[net_medical]",
        round(esrd_mm * dec!(6210), 0),
    );
    put(
        v,
        "ws1.summary.hospice[net_medical]",
        round(hospice_mm * dec!(95), 0),
    );
    put(
        v,
        "ws1.summary.other[net_medical]",
        round(mm * net_total, 0),
    );
    put(v, "ws1.summary.esrd[member_months]", esrd_mm);
    put(v, "ws1.summary.hospice[member_months]", hospice_mm);
    let total_mm = mm + esrd_mm + hospice_mm;
    put(
        v,
        "ws1.summary.nbe_marketing",
        round(total_mm * dec!(11.20), 0),
    );
    put(
        v,
        "ws1.summary.nbe_direct_admin",
        round(total_mm * dec!(39.60), 0),
    );
    put(
        v,
        "ws1.summary.nbe_indirect_admin",
        round(total_mm * dec!(13.80), 0),
    );
    put(
        v,
        "ws1.summary.nbe_reinsurance",
        round(total_mm * dec!(0.45), 0),
    );
    let _ = allowed_total;
}

fn counties(p: &Profile, rng: &mut Rng, v: &mut Values) {
    // (code, state, county) for the first `p.counties` counties of the states.
    let area: Vec<(String, &str, &str)> = p
        .states
        .iter()
        .flat_map(|(code, abbr, names)| {
            names
                .iter()
                .enumerate()
                .map(move |(i, n)| (format!("{code}{:03}", i * 10), *abbr, *n))
        })
        .take(p.counties.max(1))
        .collect();
    let n = area.len();
    // Member months: one large county, the rest spread; exact total.
    let mut weights = Vec::with_capacity(n);
    for i in 0..n {
        let w = if i == n / 2 {
            dec!(8)
        } else {
            rng.dec(dec!(0.3), dec!(2.5), 3)
        };
        weights.push(w);
    }
    let wsum: Decimal = weights.iter().sum();
    let mut left = p.projected_mm;
    for (i, (w, (code, state, name))) in weights.iter().zip(&area).enumerate() {
        let key = i + 1;
        let mm = if i + 1 == n {
            left
        } else {
            round(p.projected_mm * *w / wsum, 0)
        };
        left -= mm;
        let rate = rng.dec(p.ratebook * dec!(0.92), p.ratebook * dec!(1.08), 2);
        put_text(v, &format!("ws5.county.code[{key}]"), code);
        put_text(v, &format!("ws5.county.state[{key}]"), state);
        put_text(v, &format!("ws5.county.county_name[{key}]"), name);
        put(v, &format!("ws5.county.mm[{key}]"), mm);
        put(
            v,
            &format!("ws5.county.risk[{key}]"),
            rng.dec(p.risk - dec!(0.06), p.risk + dec!(0.06), 3),
        );
        put(v, &format!("ws5.county.ratebook[{key}]"), rate);
        put(
            v,
            &format!("ws5.county.ratebook_part_a[{key}]"),
            round(rate * dec!(0.4475), 2),
        );
        put(
            v,
            &format!("ws5.county.ae_inpatient[{key}]"),
            rng.dec(dec!(0.072), dec!(0.088), 4),
        );
        put(
            v,
            &format!("ws5.county.ae_snf[{key}]"),
            rng.dec(dec!(0.135), dec!(0.165), 4),
        );
        put(
            v,
            &format!("ws5.county.ae_part_b[{key}]"),
            rng.dec(dec!(0.182), dec!(0.198), 4),
        );
        put(
            v,
            &format!("ws5.county.ffs_inpatient[{key}]"),
            rng.dec(dec!(280), dec!(340), 2),
        );
        put(
            v,
            &format!("ws5.county.ffs_snf[{key}]"),
            rng.dec(dec!(48), dec!(66), 2),
        );
        put(
            v,
            &format!("ws5.county.ffs_part_b[{key}]"),
            rng.dec(dec!(360), dec!(430), 2),
        );
        put_text(
            v,
            &format!("ws5.county.msa_code[{key}]"),
            &format!("{}", 10000 + i * 180),
        );
        put_text(
            v,
            &format!("ws5.county.msa_name[{key}]"),
            &format!("{name}, {state}"),
        );
    }
    if let Some((statutory, weight, component)) = p.rppo {
        put(v, "ws5.regional.statutory_component", statutory);
        put(v, "ws5.regional.statutory_weight", weight);
        if let Some(c) = component {
            put(v, "ws5.regional.plan_bid_component", c);
        }
    }
    let non_de = round(p.projected_mm * (Decimal::ONE - p.de_share), 0);
    put(v, "ws5.bid.mm_non_de", non_de);
    let risk_non_de = if p.de_share.is_zero() {
        p.risk
    } else {
        round(p.risk - dec!(0.05), 3)
    };
    put(v, "ws5.bid.risk_non_de", risk_non_de);
    put(v, "ws5.bid.msp", p.msp);
}

fn manual_and_projection(p: &Profile, v: &mut Values) {
    let cred = credibility(p.base_mm);
    let manual = cred < Decimal::ONE;
    for (k, allowed, util, ut, _) in BASE {
        put(v, &format!("ws1.projection.util_trend[{k}]"), dec!(1.061));
        put(
            v,
            &format!("ws1.projection.benefit_change[{k}]"),
            Decimal::ONE,
        );
        put(
            v,
            &format!("ws1.projection.population_change[{k}]"),
            dec!(1.008),
        );
        put(v, &format!("ws1.projection.other_util[{k}]"), Decimal::ONE);
        put(
            v,
            &format!("ws1.projection.provider_payment[{k}]"),
            dec!(1.035),
        );
        put(v, &format!("ws1.projection.other_cost[{k}]"), Decimal::ONE);
        if *k != "r" {
            put_text(v, &format!("ws2.allowed.util_type[{k}]"), ut);
        }
        put(
            v,
            &format!("ws2.allowed.oon_pct[{k}]"),
            if p.oon && *k != "r" {
                dec!(0.06)
            } else {
                Decimal::ZERO
            },
        );
        if manual {
            // Partly credible or no experience: blend with a manual rate
            // at the CMS guideline credibility (0 % for a new plan).
            let a = round(*allowed * p.cost_level * dec!(1.105), 2);
            put(v, &format!("ws2.allowed.man_allowed[{k}]"), a);
            if *k != "r" {
                put(
                    v,
                    &format!("ws2.allowed.man_util[{k}]"),
                    round(*util * dec!(1.07), 1),
                );
            }
            put(v, &format!("ws2.allowed.credibility[{k}]"), cred);
        } else {
            put(v, &format!("ws2.allowed.credibility[{k}]"), Decimal::ONE);
        }
    }
    if manual {
        put_text(
            v,
            "ws2.manual.description",
            "Manual rate: 2011 experience of the organization's HMO plans in the same counties, \
             projected with the same trend, normalized to a 1.000 risk score.",
        );
    }
}

/// The credibility a sample uses: the CMS guideline sqrt(MM / 24,000) to
/// four decimals, overridden to 100 % where the instructions allow it
/// (guideline ≥ 90 %, i.e. 19,440 member months or more).
fn credibility(base_mm: Decimal) -> Decimal {
    if base_mm >= dec!(19440) {
        return Decimal::ONE;
    }
    let g = crate::rules::credibility_guideline(base_mm);
    round(g, 4)
}

fn cost_sharing(p: &Profile, v: &mut Values) {
    put_text(v, "ws3.oop.in_network", "Yes");
    put(v, "ws3.oop.in_network_amount", dec!(3400));
    put_text(v, "ws3.oop.out_of_network", "No");
    put_text(v, "ws3.oop.combined", if p.oon { "Yes" } else { "No" });
    if p.oon {
        put(v, "ws3.oop.combined_amount", dec!(5000));
    }
    put_text(
        v,
        "ws3.oop.description",
        "OOP maximum impact priced from the 2011 distribution of member cost sharing.",
    );
    for (k, unit, util, copay, desc) in COST_SHARING {
        let util = if *unit == "Coin" {
            round(*util * p.cost_level, 2)
        } else {
            *util
        };
        put_text(v, &format!("ws3.cost_sharing.unit[{k}]"), unit);
        put(v, &format!("ws3.cost_sharing.in_util[{k}]"), util);
        put_text(v, &format!("ws3.cost_sharing.in_desc[{k}]"), desc);
        put(v, &format!("ws3.cost_sharing.in_before_oop[{k}]"), *copay);
        let after = if *unit == "Coin" {
            *copay - dec!(0.01)
        } else {
            round(*copay * dec!(0.97), 2)
        };
        put(v, &format!("ws3.cost_sharing.in_after_oop[{k}]"), after);
        if p.oon {
            put_text(
                v,
                &format!("ws3.cost_sharing.oon_desc[{k}]"),
                "30% coinsurance out of network",
            );
            put(
                v,
                &format!("ws3.cost_sharing.oon_pmpm[{k}]"),
                round(util * dec!(0.0004) + dec!(0.15), 2),
            );
        }
    }
    for (k, desc) in NO_COST_SHARING {
        put_text(v, &format!("ws3.cost_sharing.in_desc[{k}]"), desc);
        if p.oon {
            put_text(v, &format!("ws3.cost_sharing.oon_desc[{k}]"), "$0.00");
        }
    }
    put_text(v, "ws3.footnote.combined_deductible", "$0");
    put_text(v, "ws3.footnote.combined_ded_part_b_only", "No");
    put_text(v, "ws3.footnote.in_deductible", "$0");
    put_text(v, "ws3.footnote.in_ded_part_b_only", "No");
    put(v, "ws3.footnote.in_oop_impact", dec!(0.85));
    put_text(v, "ws3.footnote.oon_deductible", "$0");
    put_text(v, "ws3.footnote.oon_ded_part_b_only", "No");
    put(v, "ws3.footnote.oon_oop_impact", Decimal::ZERO);
}

fn revenue_requirement(p: &Profile, v: &mut Values) {
    for (k, i, j) in COVERED {
        for t in ["non_de", "de"] {
            put(v, &format!("ws4.{t}.pct_cov_allowed[{k}]"), *i);
            put(v, &format!("ws4.{t}.pct_cov_cs[{k}]"), *j);
        }
    }
    put(v, "ws4.nbe.v1_h", dec!(11.40));
    put(v, "ws4.nbe.v2_h", dec!(38.90));
    put(v, "ws4.nbe.v3_h", dec!(13.60));
    put(v, "ws4.nbe.v4_h", dec!(0.45));
    put(v, "ws4.margin.w_h", p.margin);
    put(
        v,
        "ws4.esrd.esrd_mm",
        round(p.projected_mm * dec!(0.006), 0),
    );
    put(v, "ws4.esrd.cms_revenue", dec!(6720.00));
    put(v, "ws4.esrd.net_medical", dec!(6395.00));
    put(v, "ws4.esrd.nbe", dec!(412.00));
    if !p.egwp_additional.is_zero() {
        put(v, "ws4.egwp.additional_pmpm", p.egwp_additional);
    }
}

/// A WS7 line: category, benefit, util type, util/1,000, average cost,
/// cost-sharing unit, cost-sharing util (or PMPM for Coin), average cost sharing.
type OsbLine = (
    &'static str,
    &'static str,
    &'static str,
    Decimal,
    Decimal,
    &'static str,
    Decimal,
    Decimal,
);

/// Optional supplemental packages: description, lines, NBE, gain/loss.
const OSB: &[(&str, &[OsbLine], Decimal, Decimal)] = &[
    (
        "Enhanced Dental",
        &[
            (
                "Dental (Non-covered)",
                "(16b) Comprehensive: fillings, extractions",
                "P",
                dec!(620),
                dec!(142.00),
                "Coin",
                dec!(7.34),
                dec!(0.50),
            ),
            (
                "Dental (Non-covered)",
                "(16b) Periodontics and endodontics",
                "P",
                dec!(95),
                dec!(310.00),
                "Coin",
                dec!(2.45),
                dec!(0.50),
            ),
            (
                "Dental (Non-covered)",
                "(16b) Dentures, one set every 5 years",
                "P",
                dec!(24),
                dec!(980.00),
                "P",
                dec!(24),
                dec!(250.00),
            ),
        ],
        dec!(3.10),
        dec!(0.85),
    ),
    (
        "Vision Plus",
        &[
            (
                "Vision (Non-covered)",
                "(17b) Eyewear allowance $150 every year",
                "O",
                dec!(410),
                dec!(150.00),
                "O",
                dec!(0),
                dec!(0),
            ),
            (
                "Vision (Non-covered)",
                "(17a) Contact lens fitting",
                "V",
                dec!(60),
                dec!(55.00),
                "V",
                dec!(60),
                dec!(15.00),
            ),
        ],
        dec!(1.05),
        dec!(0.30),
    ),
    (
        "Hearing and Fitness",
        &[
            (
                "Hearing (Non-covered)",
                "(18b) Hearing aids, $500 allowance per ear",
                "P",
                dec!(38),
                dec!(500.00),
                "P",
                dec!(0),
                dec!(0),
            ),
            (
                "Other Non-covered",
                "(14c) Fitness club membership",
                "O",
                dec!(180),
                dec!(28.00),
                "O",
                dec!(0),
                dec!(0),
            ),
        ],
        dec!(0.90),
        dec!(0.25),
    ),
];

fn osb(p: &Profile, v: &mut Values) {
    for (i, (desc, lines, nbe, gl)) in OSB.iter().enumerate().take(p.osb_packages.min(5)) {
        let n = i + 1;
        put_text(v, &format!("ws7.pkg{n}.description"), desc);
        for (j, (cat, ben, ut, util, cost, unit, cs_util, cs_avg)) in lines.iter().enumerate() {
            let k = j + 1;
            let t = format!("ws7.pkg{n}.lines");
            put_text(v, &format!("{t}.category[{k}]"), cat);
            put_text(v, &format!("{t}.benefit[{k}]"), ben);
            put_text(v, &format!("{t}.util_type[{k}]"), ut);
            put(v, &format!("{t}.util[{k}]"), *util);
            put(v, &format!("{t}.avg_cost[{k}]"), *cost);
            if !cs_avg.is_zero() {
                put_text(v, &format!("{t}.cs_unit[{k}]"), unit);
                put(v, &format!("{t}.cs_util[{k}]"), *cs_util);
                put(v, &format!("{t}.cs_avg[{k}]"), *cs_avg);
            }
        }
        put(v, &format!("ws7.pkg{n}.nbe"), *nbe);
        put(v, &format!("ws7.pkg{n}.gain_loss"), *gl);
        put(
            v,
            &format!("ws7.pkg{n}.member_months"),
            round(p.projected_mm * dec!(0.22) / Decimal::from(n as u64), 0),
        );
    }
    if p.osb_packages > 0 {
        put_text(
            v,
            "ws7.comments",
            "Packages priced from 2011 OSB experience of the organization's plans; \
             members may elect one package or several.",
        );
    }
}

fn benchmark_inputs(p: &Profile, v: &mut Values) {
    put(v, "ws5.quality.star_rating", p.star);
    put_text(v, "ws5.quality.new_low", p.new_low);
    put_text(v, "ws5.county_summary.use_isar", "No");
    put(v, "ws6.part_b.max_buydown", dec!(99.90));
    if p.ma_pd && !is_egwp(p) {
        put(v, "ws6.premium.part_d_basic_before", p.part_d_basic);
        put(v, "ws6.premium.part_d_supp_before", p.part_d_supp);
        put_text(
            v,
            "ws6.premium.plan_intention",
            "Premium amount displayed in line 7d",
        );
    }
}

fn contacts(p: &Profile, v: &mut Values) {
    let domain = p
        .organization
        .split_whitespace()
        .next()
        .unwrap_or("plan")
        .to_lowercase();
    for (id, s) in [
        ("ws6.contact.bid_name", "Maria Alvarez".to_string()),
        ("ws6.contact.bid_phone", "6145550142".to_string()),
        (
            "ws6.contact.bid_email",
            format!("malvarez@{domain}health.example"),
        ),
        ("ws6.contact.cert_name", "Daniel K. Okafor".to_string()),
        ("ws6.contact.cert_phone", "6145550178".to_string()),
        (
            "ws6.contact.cert_email",
            format!("dokafor@{domain}health.example"),
        ),
        ("ws6.contact.cert_credentials", "FSA, MAAA".to_string()),
        ("ws6.contact.add_name", "Priya Raman".to_string()),
        ("ws6.contact.add_phone", "6145550193".to_string()),
        (
            "ws6.contact.add_email",
            format!("praman@{domain}health.example"),
        ),
    ] {
        put_text(v, id, &s);
    }
    v.set("ws6.contact.date_prepared", date(2012, 6, 1));
    put_text(
        v,
        "ws6.working_model.note1",
        "Working model v7 — ties to PBP export of 5/30/2012.",
    );
}

/// Non-DE# and DE# allowed PMPMs (WS2 p, q) consistent with the blended
/// total, and the WS4 DE# Medicaid cost sharing.
fn de_split(p: &Profile, calc: &Values, v: &mut Values) {
    let mm_t = p.projected_mm;
    let mm_n = v.num("ws5.bid.mm_non_de").unwrap_or(mm_t);
    let mm_d = mm_t - mm_n;
    let equal = mm_d.is_zero() || mm_n.is_zero() || p.de_share > dec!(0.9);
    if equal {
        // Costs set equal: "the user must enter a projected risk factor for
        // the non-DE# population equal to the projected risk factor for the
        // total population" (M018).
        if let Some(r) = calc.num("ws5.bid.risk_total") {
            put(v, "ws5.bid.risk_non_de", round(r, 3));
        }
    }
    for (k, ..) in BASE {
        let o = calc
            .num(&format!("ws2.allowed.blend_allowed[{k}]"))
            .unwrap_or_default();
        let (pn, qd) = if equal {
            (round(o, 2), round(o, 2))
        } else {
            let pn = round(o * dec!(0.96), 2);
            (pn, round((o * mm_t - pn * mm_n) / mm_d, 2))
        };
        put(v, &format!("ws2.allowed.non_de_allowed[{k}]"), pn);
        put(v, &format!("ws2.allowed.de_allowed[{k}]"), qd);
        let cs = calc
            .num(&format!("ws4.non_de.cost_sharing[{k}]"))
            .unwrap_or_default();
        put(
            v,
            &format!("ws4.de.medicaid_cs[{k}]"),
            round(cs * dec!(0.08), 2),
        );
    }
}

/// Allocates the MA rebate: Part B buydown, Part D basic, Part D supplemental
/// (to the dime), then A/B mandatory supplemental benefits, then reduction of
/// A/B cost sharing takes the rest to the penny.
fn allocate_rebate(p: &Profile, calc: &Values, v: &mut Values) {
    let rebate = calc.num("ws5.savings.rebate").unwrap_or_default();
    let max_cs = calc
        .num("ws4.revreq.x_q")
        .unwrap_or_default()
        .max(Decimal::ZERO);
    let max_other = calc
        .num("ws4.revreq.x_p")
        .unwrap_or_default()
        .max(Decimal::ZERO);
    let mut left = rebate;
    let dime = |x: Decimal| (x * dec!(10)).floor() / dec!(10);
    let part_b = dime(p.part_b_buydown.min(left));
    left -= part_b;
    put(v, "ws6.part_b.rebate_input", part_b);
    if p.ma_pd && !is_egwp(p) {
        let d_basic = dime((p.part_d_basic * dec!(0.5)).min(left).max(Decimal::ZERO));
        left -= d_basic;
        put(v, "ws6.premium.part_d_basic_rebate_input", d_basic);
        let d_supp = dime((p.part_d_supp * dec!(0.5)).min(left).max(Decimal::ZERO));
        left -= d_supp;
        put(v, "ws6.premium.part_d_supp_rebate_input", d_supp);
    }
    let cent = |x: Decimal| (x * dec!(100)).floor() / dec!(100);
    let mut other = cent((max_other * dec!(0.6)).min(left)).max(Decimal::ZERO);
    left -= other;
    // Keep nine cents of headroom in reduced cost sharing for the pennies
    // the dime-rounded categories cannot take.
    let mut cs = cent(left.min(max_cs - dec!(0.09))).max(Decimal::ZERO);
    left -= cs;
    // A rebate larger than the supplemental benefits can absorb: the rest
    // buys down premiums (to the dime, within each maximum), and the last
    // pennies go to reduced cost sharing.
    if left > Decimal::ZERO {
        let more = cent((max_other - other).max(Decimal::ZERO).min(left));
        other += more;
        left -= more;
    }
    if left > Decimal::ZERO && p.ma_pd && !is_egwp(p) {
        for (id, cap) in [
            ("ws6.premium.part_d_supp_rebate_input", p.part_d_supp),
            ("ws6.premium.part_d_basic_rebate_input", p.part_d_basic),
        ] {
            let have = v.num(id).unwrap_or_default();
            let more = dime((cap - have).max(Decimal::ZERO).min(left));
            put(v, id, have + more);
            left -= more;
        }
    }
    if left > Decimal::ZERO {
        let max_b = v.num("ws6.part_b.max_buydown").unwrap_or_default();
        let more = dime((max_b - part_b).max(Decimal::ZERO).min(left));
        put(v, "ws6.part_b.rebate_input", part_b + more);
        left -= more;
    }
    if left > Decimal::ZERO {
        cs += left;
    }
    put(v, "ws6.rebate_input.other_supplemental", other);
    put(v, "ws6.rebate_input.reduce_cost_sharing", cs);
}
