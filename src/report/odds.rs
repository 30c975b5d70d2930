//! Outputs of `sunshine odds`: `odds.csv` (admission probability per block,
//! tier and school), `cutoffs.csv` (each school's lottery cut-off over the
//! draws, with a 95% interval) and a terminal table.

use comfy_table::Cell;

use super::{csv_bytes, num, table};
use crate::domain::language::Language;
use crate::domain::model::Dataset;
use crate::domain::scenario::Scenario;
use crate::io::output::OutputSet;
use crate::rules::odds::Odds;

/// odds.csv, cutoffs.csv and README.txt (in the run's language).
pub fn outputs(data: &Dataset, scenario: &Scenario, o: &Odds, l: Language) -> OutputSet {
    let mut out = OutputSet::new();
    out.add(
        "odds.csv",
        csv_bytes(
            &[
                "block_id",
                "tier",
                "applicants",
                "school_id",
                "outcome",
                "probability",
            ],
            o.blocks.iter().map(|b| {
                vec![
                    data.block(b.block).id.to_string(),
                    b.tier.to_string(),
                    b.applicants.to_string(),
                    b.school
                        .map_or(String::new(), |s| data.school(s).id.to_string()),
                    if b.school.is_some() {
                        "admitted"
                    } else {
                        "overflow"
                    }
                    .to_string(),
                    format!("{:.4}", b.probability),
                ]
            }),
        ),
    );
    out.add(
        "cutoffs.csv",
        csv_bytes(
            &[
                "school_id",
                "name",
                "draws",
                "draws_with_lottery",
                "p_lottery",
                "modal_tier",
                "cutoff_mean",
                "cutoff_p2_5",
                "cutoff_p97_5",
            ],
            o.cutoffs.iter().map(|c| {
                vec![
                    data.school(c.school).id.to_string(),
                    data.school(c.school).name.clone(),
                    o.draws.to_string(),
                    c.draws_with_lottery.to_string(),
                    format!("{:.4}", c.draws_with_lottery as f64 / o.draws.max(1) as f64),
                    c.modal_tier.map_or(String::new(), |t| t.to_string()),
                    format!("{:.4}", c.mean),
                    format!("{:.4}", c.low),
                    format!("{:.4}", c.high),
                ]
            }),
        ),
    );
    let seed = scenario.policy.lottery_seed;
    let numbers = numbers_text(scenario.policy.lottery_algorithm, Language::En);
    let mut readme = match l {
        Language::Zh => readme_zh(scenario, o),
        Language::En => format!(
        "Admission odds for {} ({}), grade {}: {} lottery draws from the published seed {seed}.\n\
         odds.csv: probability that an applicant of the block and tier is admitted at the school\n\
         by zone admission or choice; outcome `overflow` is the probability of going to overflow placement.\n\
         cutoffs.csv: lottery cut-off as the score tier - 1 + number of the last admitted applicant\n\
         (lower is harder), mean and 95% interval over the draws with a lottery.\n\n\
         Replaying draw d (d = 0 to {}):\n\
         - ChaCha20 is the 20-round stream of rand_chacha 0.9: 64-bit block counter from 0,\n  \
           stream id 0; each u64 is two 32-bit output words, low word first.\n\
         - Draws::new(s): ChaCha20 keyed with 32 bytes: s as u64 little-endian, then 24 zero bytes.\n\
         - Draws::sub(s, k): ChaCha20 keyed with 32 bytes: s as u64 little-endian, k as u64\n  \
           little-endian, the byte 0x01, then 15 zero bytes.\n\
         - Draws come in antithetic pairs: draw d uses the lottery seed\n  \
           L = the first u64 of Draws::sub({seed}, floor(d / 2)); in odd draws every number u\n  \
           below is replaced by 1 - u (the draw in reverse order).\n\
         {numbers}",
        scenario.name,
        scenario.year,
        scenario.grade.number(),
        o.draws,
        o.draws.saturating_sub(1),
    ),
    };
    readme.push_str(&tr!(
        l,
        "距离：{}。\n",
        "Distances: {}.\n",
        o.distance_source
    ));
    out.add("README.txt", readme.into_bytes());
    out
}

/// The odds README in Chinese: the same facts as the English one.
fn readme_zh(scenario: &Scenario, o: &Odds) -> String {
    let seed = scenario.policy.lottery_seed;
    let numbers = numbers_text(scenario.policy.lottery_algorithm, Language::Zh);
    format!(
        "{}（{}年）{}年级入学机会：以公布的派位种子 {seed} 进行 {} 次电脑派位模拟。\n\
         odds.csv：该小区、该顺位的报名人员经划片入学或志愿被该校录取的概率；\n\
         outcome 为 `overflow` 的行是被统筹安置的概率。\n\
         cutoffs.csv：派位分数线，即最后一名被录取者的分数“顺位 - 1 + 随机号”（越小越难），\n\
         为有派位的各次模拟的平均值和95%区间。\n\n\
         复现第 d 次模拟（d = 0 至 {}）：\n\
         - ChaCha20 为 rand_chacha 0.9 的20轮流：64位块计数器从0开始，流编号0；\n  \
           每个 u64 由两个32位输出字组成，低位字在前。\n\
         - Draws::new(s)：以32字节为密钥的 ChaCha20：s 的 u64 小端序，后接24个零字节。\n\
         - Draws::sub(s, k)：以32字节为密钥的 ChaCha20：s 的 u64 小端序、k 的 u64 小端序、\n  \
           字节 0x01，后接15个零字节。\n\
         - 模拟成对（对偶）进行：第 d 次模拟的派位种子\n  \
           L = Draws::sub({seed}, floor(d / 2)) 的第一个 u64；奇数次模拟中下文的每个随机号 u\n  \
           换为 1 - u（即倒序派位）。\n\
         {numbers}",
        scenario.name,
        scenario.year,
        scenario.grade.number(),
        o.draws,
        o.draws.saturating_sub(1),
    )
}

/// The terminal table of lottery cut-offs, in the run's language.
pub fn terminal(data: &Dataset, o: &Odds, l: Language) -> String {
    let mut t = table(&[
        l.pick("学校", "school"),
        l.pick("出现派位", "lottery in"),
        l.pick("常见顺位", "usual tier"),
        l.pick("分数线均值", "cut-off mean"),
        l.pick("95%区间", "95% interval"),
    ]);
    let mut rows: Vec<_> = o.cutoffs.iter().collect();
    rows.sort_by(|a, b| {
        b.draws_with_lottery
            .cmp(&a.draws_with_lottery)
            .then(a.school.cmp(&b.school))
    });
    for c in rows {
        t.add_row(vec![
            Cell::new(format!(
                "{} {}",
                data.school(c.school).id,
                data.school(c.school).name
            )),
            num(format!(
                "{:.0}%",
                100.0 * c.draws_with_lottery as f64 / o.draws.max(1) as f64
            )),
            num(c.modal_tier.map_or(String::new(), |t| t.to_string())),
            num(format!("{:.3}", c.mean)),
            num(format!("{:.3} – {:.3}", c.low, c.high)),
        ]);
    }
    tr!(
        l,
        "{} 次派位模拟的派位分数线（分数 = 顺位 - 1 + 随机号；越小越难），距离 {}\n{t}\n",
        "Lottery cut-offs over {} draws (score = tier - 1 + number; lower is harder), distances {}\n{t}\n",
        o.draws,
        o.distance_source
    )
}

/// How the odds README says a draw's numbers come from its seed `L`,
/// under the scenario's lottery algorithm ([`crate::solve::lottery`]).
fn numbers_text(a: crate::solve::lottery::LotteryAlgorithm, l: Language) -> &'static str {
    use crate::solve::lottery::LotteryAlgorithm::{V1, V2};
    match (a, l) {
        (V1, Language::En) => "- Lottery numbers from L (sunshine-lottery-v1): the applicants of the grade,\n  \
           sorted by student_id (bytes of the UTF-8 text), each take the next u64 x of\n  \
           Draws::new(L); the number is (x >> 11) / 2^53; inside a tier the smaller wins.\n\
         - Multiple tie-breaking: school i (0-based row of schools.csv, then the scenario's new\n  \
           schools) draws from Draws::sub(L, 2^32 + i) one number per applicant listing it,\n  \
           applicants in student_id order.\n",
        (V1, Language::Zh) => "- 由 L 生成随机号（sunshine-lottery-v1）：本年级的报名人员按 student_id\n  \
           （UTF-8 字节序）排序，依次取 Draws::new(L) 的下一个 u64 x，随机号为 (x >> 11) / 2^53；\n  \
           同一顺位内号小者优先。\n\
         - 多随机号（multiple）：第 i 所学校（schools.csv 的第 i 行，从0起，其后为方案新增学校）\n  \
           从 Draws::sub(L, 2^32 + i) 为每个填报它的报名人员依次取一个随机号，按 student_id 顺序。\n",
        (V2, Language::En) => "- Lottery numbers from L (sunshine-lottery-v2): an applicant's number is\n  \
           (x >> 11) / 2^53 where x is the first 8 bytes, big-endian, of\n  \
           HMAC-SHA256(key = L in decimal ASCII, message = \"single:\" + student_id);\n  \
           inside a tier the smaller wins.\n\
         - Multiple tie-breaking: the same with the message \"school:\" + school_id + \":\" +\n  \
           student_id, one number per applicant and school listed.\n",
        (V2, Language::Zh) => "- 由 L 生成随机号（sunshine-lottery-v2）：报名人员的随机号为 (x >> 11) / 2^53，\n  \
           x 为 HMAC-SHA256（密钥 = L 的十进制 ASCII 文本，消息 = \"single:\" + student_id）\n  \
           的前8个字节（大端序）；同一顺位内号小者优先。\n\
         - 多随机号（multiple）：同上，消息为 \"school:\" + school_id + \":\" + student_id，\n  \
           每个报名人员对所填报的每所学校各一个随机号。\n",
    }
}
