#!/usr/bin/env python3
"""Builds the demo's shipped knowledge base (Resources/Assistant/knowledge/) from STARD's corpus.jsonl:
the statute articles a community's residents ask about, one JSON-lines file per law ({article, text}),
and manifest.json with each law's source. STARD: github oneal2000/STARD, MIT licence, (c) 2024 THUIR.

    python3 scripts/qa_knowledge.py path/to/stard/corpus.jsonl
"""
import json, os, re, sys

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}

def number(text):
    total, digit = 0, 0
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in UNITS:
            total += (digit or 1) * UNITS[ch]
            digit = 0
    return total + digit

# (title in STARD, key, issuer, in force from, article ranges or None for all)
LAWS = [
    ("物业管理条例", "property-management-regulation", "国务院", "2018-03-19", None),
    ("中华人民共和国民法典", "civil-code-community", "全国人民代表大会", "2021-01-01",
     [(271, 296), (703, 734), (937, 950), (1067, 1069), (1245, 1258)]),
    ("最高人民法院关于审理物业服务纠纷案件适用法律若干问题的解释", "spc-property-services", "最高人民法院", "2021-01-01", None),
    ("最高人民法院关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释", "spc-building-ownership", "最高人民法院", "2021-01-01", None),
    ("最高人民法院关于审理城镇房屋租赁合同纠纷案件具体应用法律若干问题的解释", "spc-housing-lease", "最高人民法院", "2021-01-01", None),
    ("老年人权益保障法", "elderly-rights-law", "全国人民代表大会常务委员会", "2018-12-29", None),
    ("社会救助暂行办法", "social-assistance-measures", "国务院", "2019-03-02", None),
    ("城市居民委员会组织法", "residents-committee-law", "全国人民代表大会常务委员会", "2018-12-29", None),
    ("噪声污染防治法", "noise-law", "全国人民代表大会常务委员会", "2022-06-05", None),
    ("消防法", "fire-protection-law", "全国人民代表大会常务委员会", "2021-04-29", None),
    ("残疾人保障法", "disabled-persons-law", "全国人民代表大会常务委员会", "2018-10-26", None),
    ("反家庭暴力法", "anti-domestic-violence-law", "全国人民代表大会常务委员会", "2016-03-01", None),
    ("关于审理使用人脸识别技术处理个人信息相关民事案件适用法律若干问题的规定", "spc-face-recognition", "最高人民法院", "2021-08-01", None),
    ("个人信息保护法", "personal-information-law", "全国人民代表大会常务委员会", "2021-11-01", None),
]

def main(corpus, out):
    rows = [json.loads(line) for line in open(corpus, encoding="utf-8")]
    os.makedirs(out, exist_ok=True)
    manifest = []
    for title, key, issuer, effective, ranges in LAWS:
        picked = []
        for row in rows:
            m = re.fullmatch(re.escape(title) + r"(第([零〇一二两三四五六七八九十百千]+)条(之[一二三四五六七八九十]+)?)", row["title"])
            if not m:
                continue
            n = number(m.group(2))
            if ranges and not any(a <= n <= b for a, b in ranges):
                continue
            picked.append((n, m.group(3) or "", m.group(1), row["text"]))
        picked.sort()
        with open(os.path.join(out, key + ".jsonl"), "w", encoding="utf-8") as f:
            for _, _, article, text in picked:
                f.write(json.dumps({"article": article, "text": text}, ensure_ascii=False) + "\n")
        manifest.append({"key": key, "title": title, "issuer": issuer, "effectiveOn": effective, "file": key + ".jsonl",
                         "articles": len(picked)})
        print(f"{len(picked):4d}  {title}")
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)
        f.write("\n")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "Resources/Assistant/knowledge")
