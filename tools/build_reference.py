"""Build the cn-nm pack's energy reference tables from the team's transcriptions.

Run from the repository root: ``python tools/build_reference.py [SHARED_REFERENCE_DIR]``.
It reads ``energy_benchmarks_2023.csv`` and ``energy_quota_grades.csv`` (default folder
``../shared/reference``) and writes ``criteria/greenrules_cn_nm/r2025/shared/reference/``.

Why a script: the pack keys every product by a stable text key (``gb21341.ferrosilicon``) that
entities use in ``energy[].product``; deriving the keys by one documented procedure keeps them
stable when a value is corrected, and dates each row by the effective date of its edition.
Rows of editions whose effective date we could not find are left out (a rule then says the
value is missing) rather than assumed in force.

Since built, the pack's quota table has been curated in place: rows breaking its declared
invariants were fixed (values removed, reason in ``source``), and rows for the editions in force
before the transcribed ones, and for products with no quota standard yet, were added. Running
this again overwrites them: diff the result and keep those rows.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

OUT = Path("criteria/greenrules_cn_nm/r2025/shared/reference")

CATALOGUE = "adgo07/ECQuota-Insight data/catalog.json @62e6f2bd (publication and effective dates)"
# Effective date of each edition in energy_quota_grades.csv, with where we read it.
EFFECTIVE = {
    "GB 16780-2021": "2022-11-01",
    "GB 21252-2023": "2024-12-01",
    "GB 21256-2025": "2026-07-01",
    "GB 21257-2024": "2025-05-01",
    "GB 21258-2024": "2025-04-01",
    "GB 21340-2019": "2020-05-01",
    "GB 21341-2022": "2024-01-01",
    "GB 21342-2025": "2026-05-01",
    "GB 21343-2023": "2024-12-01",
    "GB 21344-2023": "2024-12-01",
    "GB 21345-2024": "2025-05-01",
    "GB 21346-2022": "2024-01-01",
    "GB 21347-2023": "2024-10-01",
    "GB 21370-2017": "2018-11-01",
    "GB 25323-2023": "2024-06-01",
    "GB 25324-2022": "2024-01-01",
    "GB 29140-2024": "2025-05-01",
    "GB 29141-2024": "2025-06-01",
    "GB 29435-2025": "2027-01-01",
    "GB 29436-2023": "2024-12-01",
    "GB 29438-2012": "2013-10-01",
    "GB 29445-2025": "2026-08-01",
    "GB 29446-2019": "2020-07-01",
    "GB 29447-2026": "2027-01-01",
    "GB 29448-2022": "2024-01-01",
    "GB 29449-2024": "2025-05-01",
    "GB 29995-2024": "2025-05-01",
    "GB 30180-2024": "2025-05-01",
    "GB 30183-2013": "2014-12-01",
    "GB 30251-2024": "2025-05-01",
    "GB 30526-2019": "2020-05-01",
    "GB 31335-2024": "2025-05-01",
    "GB 31825-2024": "2025-05-01",
    "GB 33654-2017": "2018-06-01",
    "GB 36888-2018": "2019-12-01",
    "GB 36889-2025": "2026-06-01",
    "GB 45549-2025": "2026-04-01",
    "GB 46029-2025": "2026-08-01",
    "GB 47835-2026": "2027-01-01",
}
EFFECTIVE_SOURCE = {
    "GB 21345-2024": "adgo07/ECQuota-Insight tests (GB 21345-2024 effective 2025-05-01)",
    "GB 29141-2024": "adgo07/ECQuota-Insight data/standard-replacements.json",
    "GB 29435-2025": "adgo07/ECQuota-Insight data/standard-replacements.json",
}
# Editions whose effective date we did not find: left out until it is confirmed.
UNDATED = {"GB 30530-2024", "GB 31830-2024", "GB 32051-2024"}

ZH_WORDS = {
    "超超临界": "ultra-supercritical",
    "超临界": "supercritical",
    "亚临界": "subcritical",
    "超高压": "high-pressure",
    "200及以下": "le200",
}
RARE_EARTH = {
    "氧化镧": "la-oxide",
    "氧化铈": "ce-oxide",
    "氧化镨": "pr-oxide",
    "氧化钕": "nd-oxide",
    "氧化钐": "sm-oxide",
    "氧化铕": "eu-oxide",
    "氧化钆": "gd-oxide",
    "氧化铽": "tb-oxide",
    "氧化镝": "dy-oxide",
    "氧化钬": "ho-oxide",
    "氧化铒": "er-oxide",
    "氧化铥": "tm-oxide",
    "氧化镱": "yb-oxide",
    "氧化镥": "lu-oxide",
    "氧化钇": "y-oxide",
    "氧化镨钕": "prnd-oxide",
    "混合稀土碳酸盐": "mixed-carbonate",
    "金属镧": "la-metal",
    "金属铈": "ce-metal",
    "金属镨": "pr-metal",
    "金属钕": "nd-metal",
    "金属钐": "sm-metal",
    "金属钆": "gd-metal",
    "金属铽": "tb-metal",
    "金属镝": "dy-metal",
    "金属钇": "y-metal",
    "镨钕金属": "prnd-metal",
    "镧铈金属": "lace-metal",
    "钆铁合金": "gdfe-alloy",
    "镝铁合金": "dyfe-alloy",
    "钬铁合金": "hofe-alloy",
    "PrNd oxide": "prnd-oxide",
}
RARE_EARTH_ROUTE = {
    "ion-adsorption ore": "ion-adsorption",
    "mixed-type ore (Bayan Obo type)": "bayan-obo",
    "NdFeB scrap recycling": "ndfeb-scrap",
    "electrolysis / metallothermic reduction": "electrolysis",
    "intermediate-alloy method": "intermediate-alloy",
    "bastnaesite": "bastnaesite",
}
MANUAL = {  # products whose English name in the transcription is Chinese
    "表1 粗铜工艺（铜精矿-粗铜）": "blister-copper-from-concentrate",
    "表1 阳极铜工艺（铜精矿-阳极铜）": "anode-copper-from-concentrate",
    "表1 铜电解工序（阳极铜-阴极铜）": "copper-electrorefining",
    "表1 铜冶炼（铜精矿-阴极铜）": "copper-smelting-concentrate-to-cathode",
    "表2 粗铜冶炼工艺阳极铜（粗铜-阳极铜）": "anode-copper-from-blister",
    "表2 粗铜冶炼工艺（粗铜-阴极铜）": "cathode-copper-from-blister",
    "表2 杂铜冶炼工艺（杂铜-粗铜）": "scrap-copper-to-blister",
    "表2 杂铜冶炼工艺（杂铜-阳极铜）": "scrap-copper-to-anode",
    "表2 杂铜冶炼工艺（杂铜-阴极铜）": "scrap-copper-to-cathode",
    "表3 火法炼锌粗锌锭工序（精矿-粗锌锭）": "pyro-zinc-crude-ingot",
    "表3 火法炼锌粗锌锭-精锌锭工序（粗锌锭-精锌锭）": "pyro-zinc-refining",
    "表3 火法炼锌（精矿-精锌锭）": "pyro-zinc-concentrate-to-refined",
    "表3 湿法炼锌（含渣处理）（精矿-电锌锭）": "hydro-zinc-with-residue-treatment",
    "表3 湿法炼锌（无渣处理）（精矿-电锌锭）": "hydro-zinc-without-residue-treatment",
    "表5 粗铅工艺（铅精矿-粗铅）": "crude-lead",
    "表5 铅电解精炼工序（粗铅-铅锭）": "lead-electrorefining",
    "表5 铅冶炼（铅精矿-铅锭）": "lead-smelting-concentrate-to-ingot",
    "表6 再生铅（废电池-再生铅）": "secondary-lead-from-batteries",
    "表7 高镍锍工艺（镍精矿-高镍锍）": "nickel-matte",
    "表7 镍精炼工艺（高镍锍-电解镍）": "nickel-refining",
    "表7 镍冶炼（镍精矿-电解镍）": "nickel-smelting-concentrate-to-cathode",
    "表8 锡冶炼（锡精矿-锡锭、焊锡）": "tin-smelting",
    "表9 锑冶炼（锑精矿-锑锭）（硫化锑矿）": "antimony-smelting-sulphide-ore",
    "普通功率石墨电极": "graphite-electrode-regular-power",
    "高功率石墨电极": "graphite-electrode-high-power",
    "超高功率石墨电极": "graphite-electrode-ultra-high-power",
    "炭电极（直径≤1000 mm）": "carbon-electrode-le1000mm",
    "炭电极（直径>1000 mm）": "carbon-electrode-gt1000mm",
    "炭块（半石墨质）": "carbon-block-semi-graphitic",
    "炭块（微孔）": "carbon-block-microporous",
    "烧结多孔砖和多孔砌块": "sintered-perforated-brick",
    "烧结空心砖和空心砌块": "sintered-hollow-brick",
    "烧结保温砖和保温砌块": "sintered-insulating-brick",
    "烧结实心制品": "sintered-solid-brick",
    "泡沫玻璃（外购熔容玻璃）": "foam-glass-purchased-melt",
    "泡沫玻璃（自制熔容玻璃）": "foam-glass-own-melt",
    "泡沫玻璃（Ⅱ型）": "foam-glass-type-ii",
}
INDICATOR_SUFFIX = {  # second and further indicators of one product
    "熟料单位产品综合电耗": "power",
    "熟料单位产品综合煤耗": "coal",
    "单位产品冶炼电耗（按入炉矿品位修正）": "smelting-power",
    "单位产品焦炭消耗（按入炉矿品位修正）": "coke",
    "铝液综合交流电耗": "total-ac-power",
    "铝锭综合交流电耗": "ac-power",
    "工艺能耗": "process",
    "单位产品电炉电耗": "furnace-power",
    "单位产品能耗（不扣除原料用能，附录A）": "incl-feedstock",
    "供热煤耗率": "heat",
    "单位产品电耗": "power",
    "单位产品可比熔融焦耗": "melting-coke",
    "单位产品运输能耗": "transport",
}
# Benchmark rows (by product_zh of the 2023 list) and the product keys they apply to.
BENCHMARK_KEYS = {
    "炼油": ["gb30251.oil-refining"],
    "煤制焦炭（顶装焦炉）": ["gb21342.coke-top-charging-oven"],
    "煤制焦炭（捣固焦炉）": ["gb21342.coke-stamp-charging-oven"],
    "煤制甲醇": [
        "gb29436.methanol-from-bituminous-coal",
        "gb29436.methanol-from-anthracite",
        "gb29436.methanol-from-lignite",
    ],
    "煤制烯烃": ["gb30180.coal-to-olefins-via-mto"],
    "煤制乙二醇": ["gb29436.coal-to-ethylene-glycol"],
    "烧碱（离子膜法液碱≥30%）": ["gb21257.liquid-caustic-soda-ge30pct"],
    "烧碱（离子膜法液碱≥45%）": ["gb21257.liquid-caustic-soda-ge45pct"],
    "烧碱（离子膜法固碱≥98%）": ["gb21257.solid-caustic-soda-ge98pct"],
    "纯碱（氨碱法）": [
        "gb29140.light-soda-ash-ammonia-soda-solvay",
        "gb29140.dense-soda-ash-ammonia-soda-solvay",
    ],
    "纯碱（联碱法）": [
        "gb29140.light-soda-ash-combined-hou-process-refined-salt",
        "gb29140.dense-soda-ash-combined-hou-process-refined-salt",
    ],
    "电石": ["gb21343.calcium-carbide"],
    "乙烯": ["gb30251.ethylene"],
    "对二甲苯": ["gb30251.paraxylene"],
    "黄磷": ["gb21345.yellow-phosphorus-electric-furnace"],
    "合成氨（优质无烟块煤）": ["gb21344.ammonia-premium-anthracite-lump"],
    "合成氨（非优质无烟块煤、型煤）": ["gb21344.ammonia-non-premium-anthracite-lump-briquette"],
    "合成氨（粉煤）": ["gb21344.ammonia-pulverised-coal-incl-bituminous"],
    "合成氨（天然气）": ["gb21344.ammonia-natural-gas"],
    "磷酸一铵": [
        "gb21344.map-conventional-granular",
        "gb21344.map-conventional-powder",
        "gb21344.map-slurry-granular",
        "gb21344.map-slurry-powder",
    ],
    "磷酸二铵": ["gb21344.dap-conventional-granular", "gb21344.dap-slurry-granular"],
    "乙二醇（2023年新增领域）": [
        "gb29436.ethylene-glycol-from-ethylene",
        "gb29436.ethylene-glycol-from-syngas",
    ],
    "尿素（2023年新增领域）": [
        "gb21344.urea-steam-turbine-driven-co2-compressor",
        "gb21344.urea-motor-driven-co2-compressor",
    ],
    "钛白粉（2023年新增领域）": [
        "gb32051.tio2-rutile-sulphate-process",
        "gb32051.tio2-anatase-sulphate-process",
        "gb32051.tio2-chloride-process",
    ],
    "聚氯乙烯（2023年新增领域）": [
        "gb21257.pvc-calcium-carbide-route-general-purpose",
        "gb21257.pvc-ethylene-combined-route-general-purpose",
    ],
    "精对苯二甲酸（2023年新增领域）": ["gb30251.purified-terephthalic-acid-pta"],
    "子午线轮胎（2023年新增领域）": [
        "gb29449.all-steel-radial-tyre",
        "gb29449.semi-steel-radial-tyre",
    ],
    "水泥熟料": ["gb16780.cement-clinker"],
    "平板玻璃（500<生产能力≤800 t/d）": ["gb21340.float-glass-line-500-800-t-d"],
    "平板玻璃（生产能力>800 t/d）": ["gb21340.float-glass-line-gt800-t-d"],
    "建筑陶瓷": [
        "gb21252.dry-pressed-ceramic-tile-water-absorption-le0-2pct",
        "gb21252.dry-pressed-ceramic-tile-0-2-0-5pct",
        "gb21252.dry-pressed-ceramic-tile-0-5-10pct",
        "gb21252.dry-pressed-ceramic-tile-gt10pct",
    ],
    "卫生陶瓷": [
        "gb21252.sanitary-ceramics-water-absorption-le0-3pct",
        "gb21252.sanitary-ceramics-water-absorption-gt0-3pct",
    ],
    "炼铁（高炉工序）": ["gb21256.blast-furnace-ironmaking"],
    "炼钢（转炉工序）": ["gb21256.basic-oxygen-furnace-steelmaking"],
    "炼钢（电弧炉冶炼）": [
        "gb21256.eaf-steelmaking-lt50-t",
        "gb21256.eaf-steelmaking-50-70-t",
        "gb21256.eaf-steelmaking-ge70-t",
    ],
    "铁合金冶炼（硅铁）": ["gb21341.ferrosilicon"],
    "铁合金冶炼（锰硅合金）": ["gb21341.silicomanganese"],
    "铁合金冶炼（高碳铬铁）": ["gb21341.high-carbon-ferrochrome"],
    "铜冶炼": ["gb25323.copper-smelting-concentrate-to-cathode"],
    "铅冶炼": ["gb25323.lead-smelting-concentrate-to-ingot"],
    "锌冶炼": [
        "gb25323.pyro-zinc-concentrate-to-refined",
        "gb25323.hydro-zinc-with-residue-treatment",
        "gb25323.hydro-zinc-without-residue-treatment",
    ],
    "电解铝": ["gb21346.primary-aluminium-liquid"],
    "工业硅（2023年新增领域）": [
        "gb21347.industrial-silicon-charcoal-reductant",
        "gb21347.industrial-silicon-petcoke-plus-coal-reductant",
        "gb21347.industrial-silicon-coal-reductant",
    ],
    "卫生纸原纸、纸巾原纸（2023年新增领域）": [
        "gb31825.tissue-base-paper-wood-pulp",
        "gb31825.tissue-base-paper-non-wood-pulp",
    ],
    "棉、化纤及混纺机织物（2023年新增领域）": ["textile.woven-fabrics"],
    "针织物、纱线（2023年新增领域）": ["textile.knitted-fabrics-and-yarns"],
    "粘胶短纤维（2023年新增领域）": ["gb36889.viscose-staple-fibre"],
}


def slug(text: str) -> str:
    """An ASCII key fragment from an English product name."""
    for zh, en in ZH_WORDS.items():
        text = text.replace(zh, en)
    text = text.lower()
    for old, new in (
        (">=", " ge"),
        ("<=", " le"),
        ("<", " lt"),
        (">", " gt"),
        ("%", "pct"),
        ("+", " plus "),
        ("·", " "),
        (".", "-"),
    ):
        text = text.replace(old, new)
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if not text.isascii() or not text:
        raise ValueError(f"cannot make a key from {text!r}")
    return text


def product_key(row: dict[str, str]) -> str:
    """The stable key of a quota row: standard, product, and indicator if a product has several."""
    std = row["standard"].replace(" ", "").lower()
    name = row["product_en"]
    if row["product_zh"] in MANUAL:
        base = MANUAL[row["product_zh"]]
    elif name.startswith("rare earth, "):
        route, _, product = name[len("rare earth, ") :].partition(": ")
        base = f"{RARE_EARTH_ROUTE[route]}-{RARE_EARTH[product]}"
    else:
        base = slug(name)
    suffix = INDICATOR_SUFFIX.get(row["indicator_zh"])
    return f"{std}.{base}" + (f".{suffix}" if suffix else "")


def build(shared: Path) -> None:
    """Write the two energy tables."""
    OUT.mkdir(parents=True, exist_ok=True)
    quota = list(csv.DictReader((shared / "energy_quota_grades.csv").open(encoding="utf-8")))
    out_rows = []
    for row in quota:
        edition = f"{row['standard']}-{row['edition']}"
        if edition in UNDATED:
            continue
        out_rows.append(
            {
                "product": product_key(row),
                "grade1": row["grade1"],
                "grade2": row["grade2"],
                "grade3": row["grade3"],
                "unit": row["unit"],
                "standard": edition,
                "product_zh": row["product_zh"],
                "product_en": row["product_en"],
                "indicator_zh": row["indicator_zh"],
                "valid_from": EFFECTIVE[edition],
                "valid_to": "",
                "source": row["source_url"],
                "confidence": row["cross_checked"],
                "effective_date_source": EFFECTIVE_SOURCE.get(edition, CATALOGUE),
            }
        )
    counts = Counter(r["product"] for r in out_rows)
    dupes = [k for k, n in counts.items() if n > 1]
    if dupes:
        raise SystemExit(f"duplicate product keys: {dupes}")
    _write(OUT / "energy_quota_grades.csv", out_rows)
    keys = set(counts)
    bench = list(csv.DictReader((shared / "energy_benchmarks_2023.csv").open(encoding="utf-8")))
    bench_rows = []
    for row in bench:
        for key in BENCHMARK_KEYS[row["product_zh"]]:
            if (
                not key.startswith("textile.")
                and key not in keys
                and not key.startswith(
                    tuple(s.split("-")[0].replace(" ", "").lower() for s in UNDATED)
                )
            ):
                raise SystemExit(f"benchmark key {key} names no quota product")
            bench_rows.append(
                {
                    "product": key,
                    "benchmark": row["benchmark"],
                    "baseline": row["baseline"],
                    "unit": row["unit"],
                    "field_zh": row["product_zh"],
                    "sector_zh": row["sector_zh"],
                    "indicator_zh": row["indicator_zh"],
                    "standard": row["standard"],
                    "valid_from": "",
                    "valid_to": "",
                    "source": row["source_url"],
                    "confidence": row["cross_checked"],
                }
            )
    _write(OUT / "energy_benchmarks.csv", bench_rows)
    print(f"{len(out_rows)} quota rows, {len(bench_rows)} benchmark rows written to {OUT}")


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/reference"))
