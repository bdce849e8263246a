#!/usr/bin/env python3
"""Writes Hugging Face tokenizer outputs for a varied, seeded corpus as JSON lines.

Each line is {"text": ..., "ids": [...]}: the ids Hugging Face `tokenizers` gives the text
with [CLS]/[SEP] and without truncation or padding. The Swift test
TokenizerParityTests requires BertTokenizer to produce the same ids for every line.

    python3 -m venv /tmp/tokvenv
    /tmp/tokvenv/bin/pip install -r Tests/e2e/tools/requirements-parity.txt
    /tmp/tokvenv/bin/python Tests/e2e/tools/tokenizer_parity.py \
        --model models/all-minilm-l6-v2 --count 2000 \
        --out Tests/ModelRuntimeTests/Fixtures/tokenizer-parity-minilm.jsonl
"""

import argparse
import json
import random
import sys

from tokenizers import Tokenizer

WORDS = """the of and to in is was for on that with as by at from his her it an were are which
this be or have had not but one all they their been has more its also new first can who
after other into two time some when would there only most many about over such years these
state people world government between during under while both including city called him
well within before since where three university through known later being school them
used same each because war team then during company film album music series season club
Hello WORLD Quick brown Fox JUMPS lazy dog OpenAI embeddings Swift server LINUX model
don't can't I'm it's we've you'll o'clock e-mail state-of-the-art U.S.A. Ph.D. 3.14 42
1,000,000 $100 50% #hashtag @user user@example.com https://example.com/path?q=1&r=2
COVID-19 x86_64 arm64 AVX-512 GPT-4 snake_case camelCase kebab-case SHA-256 UTF-8""".split()

ACCENTED = """café naïve Ångström façade Zürich São Paulo Œuvre İstanbul ǅemal Tiếng Việt
crème brûlée jalapeño Dvořák Łódź Øresund Ærøskøbing Straße ﬁnance ﬂour Ǆ ǈ Ǌ ḱṷṓn
résumé coöperate piñata smörgåsbord Björk Mötley Crüe Español Français Português
Σίσυφος ΟΔΥΣΣΕΥΣ Ελληνικά Москва Ёлка Україна Қазақ Ψυχή ŠKODA Ğ ı İ ǰ ΐ ΰ ẞ""".split()

COMBINING = ["e\u0301", "a\u0308\u0301", "o\u0323\u0302", "n\u0303", "q\u0307\u0323",
             "A\u030a", "\u1e9b\u0323", "u\u031b\u0309", "i\u0307", "x\u0338", "\u0627\u0651\u064e",
             "\u0915\u094d\u0937", "e\u0301\u0301\u0301", "\u0301leading", "a\u20dd", "1\ufe0f\u20e3"]

CJK = ["你好，世界！", "我爱自然语言处理。", "東京都の天気は晴れです", "日本語のテキスト、カタカナとひらがな",
       "한국어 문장입니다", "안녕하세요 세계", "中文English混合text", "𠀀𠀁𪜀𫝀𫠝𬺰", "\u2b81f\u2b820\u2b91f\u2b920",
       "豈更車賈滑", "\uf900\uf901\ufa0e\ufaff", "\u3400\u4dbf\u9fff\u9fa5", "\U0002f800\U0002fa1d",
       "\U00030000\U0003134a", "\U0002ceb0\U0002ebe0", "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３", "〔括弧〕「かぎ」『二重』【隅付き】",
       "ㄅㄆㄇ", "ア゙ガ", "\u3099\u309a"]

EMOJI = ["😀", "🤗 hugging face", "👍🏽", "👨‍👩‍👧‍👦 family", "🇫🇷🇯🇵", "❤️ love", "🥰🫨🪿", "✨🚀✅",
         "I ❤ NY", "☕️ coffee", "🏳️‍🌈", "👩🏻‍💻 coder", "©®™", "♠♣♥♦", "⌘⌥⇧", "∑∫√∞≈≠", "→←↑↓"]

PUNCTUATION = ["Hello, world!", "Wait... what?!", "¿Qué? ¡Sí!", "«Bonjour» — dit-il.", "“quoted” ‘text’",
               "a+b=c", "x^2 `code` |pipe| ~tilde~", "<html><body>Hi</body></html>", "{\"json\": [1, 2]}",
               "foo_bar-baz.qux", "!!!???...", "‐‑‒–—―", "§¶†‡•…‰′″", "1.2.3.4", "(((nested)))",
               "'single' \"double\"", "semi;colon:colon", "back\\slash/slash", "#1 @2 $3 %4 &5 *6",
               "Dr. Smith's 2nd-hand car.", "A.I., M.L., & N.L.P.", "٫٬؛؟", "।॥", "。、・",
               "\u055d\u0589\u05be", "\u166d", "\U000111c9"]

WHITESPACE_AND_CONTROL = ["", " ", "   ", "\t", "\n\n", "\r\n", "a\tb\nc\rd", "a\x0bb\x0cc", "x\x85y",
                          "non\u00a0breaking", "em\u2003space", "line\u2028sep", "para\u2029sep",
                          "ideo\u3000space", "zero\u200bwidth", "bom\ufeffmark", "soft\u00adhyphen",
                          "nul\x00char", "bell\x07char", "del\x7fchar", "repl\ufffdchar", "esc\x1b[31mred",
                          "rtl\u200fmark", "join\u200djoiner", "\u2066isolate\u2069", "pua\ue000\uf8ff",
                          "\U000f0000plane15", "tag\U000e0041", "  leading and trailing  ",
                          "mixed \t\n\r\u00a0\u3000 whitespace", "\x01\x02\x03", "\u0378unassigned\u0379",
                          "\ufdd0\ufffe\uffff", "\U0010fffd"]

LONG_WORDS = ["a" * 99, "a" * 100, "a" * 101, "x" * 300, "é" * 100, "é" * 101, "ab" * 60,
              "pneumonoultramicroscopicsilicovolcanoconiosis" * 3, "1234567890" * 15,
              "supercalifragilisticexpialidocious", "antidisestablishmentarianism",
              "Donaudampfschifffahrtsgesellschaftskapitän", "日" * 150, "😀" * 120, "a" * 99 + "é",
              "é" * 99 + "a", "unbelievablyunrecognizablewordpieces"]

SPECIAL_TOKENS = ["[SEP]", "[CLS]hello", "a[SEP]b", "[sep] lower", "[[SEP]]", "[MASK] fill", "[UNK]",
                  "[PAD]x[PAD]", "[SE P]", "[CLS][SEP][CLS]", "text [SEP] more text [SEP]", "[SEP",
                  "SEP]", "[ [SEP] ]", "[MASK][MASK]", "x[UNK]y", "[cls]", "【SEP】"]

SCRIPTS = ["مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "สวัสดีชาวโลก", "Γειά σου Κόσμε", "Привет, мир!",
           "Բարեւ աշխարհ", "გამარჯობა", "ሰላም ልዑል", "ᐊᐃᓐᖓᐃ", "ᚠᚢᚦᚨᚱᚲ", "Ꭰ Ꭱ Ꭲ", "ⴰⵣⵓⵍ", "Xin chào",
           "Ọ̀rọ̀ Yorùbá", "Hàbàa", "ꦲꦤꦕꦫꦏ", "\U00011938\U00011935\U00011930", "ᠮᠣᠩᠭᠣᠯ\u1885\u1886",
           "\ua9bd\u1734\U0001171e", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕄𝕒𝕥𝕙", "ℌℑℜ", "Ⅻ ⅻ", "①②③", "½ ¼ ¾"]

FRAGMENTS = [WORDS, ACCENTED, COMBINING, CJK, EMOJI, PUNCTUATION, WHITESPACE_AND_CONTROL,
             LONG_WORDS, SPECIAL_TOKENS, SCRIPTS]


def random_scalar(rng: random.Random) -> str:
    """A code point from anywhere (never a surrogate), weighted towards the BMP."""
    roll = rng.random()
    if roll < 0.5:
        cp = rng.randrange(0x80, 0x3000)
    elif roll < 0.75:
        cp = rng.randrange(0x3000, 0x10000)
    elif roll < 0.95:
        cp = rng.randrange(0x10000, 0x30000)
    else:
        cp = rng.randrange(0x30000, 0x110000)
    if 0xD800 <= cp <= 0xDFFF:
        cp = 0x20
    return chr(cp)


def random_unicode_text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randrange(1, 30)):
        choice = rng.random()
        if choice < 0.6:
            parts.append(random_scalar(rng))
        elif choice < 0.8:
            parts.append(" ")
        elif choice < 0.9:
            parts.append(chr(rng.randrange(0x20, 0x7F)))
        else:
            parts.append(chr(rng.randrange(0, 0x20)))
    return "".join(parts)


def mixed_text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randrange(1, 12)):
        group = rng.choice(FRAGMENTS)
        fragment = rng.choice(group)
        if rng.random() < 0.2:
            fragment = fragment.upper() if rng.random() < 0.5 else fragment.title()
        parts.append(fragment)
    separators = [" ", " ", " ", "", "\t", "\n", ", ", "  "]
    return "".join(part + rng.choice(separators) for part in parts).strip(" ") if rng.random() < 0.5 \
        else "".join(part + rng.choice(separators) for part in parts)


def corpus(count: int, seed: int) -> list:
    rng = random.Random(seed)
    texts = [fragment for group in FRAGMENTS for fragment in group]
    while len(texts) < count:
        texts.append(random_unicode_text(rng) if rng.random() < 0.35 else mixed_text(rng))
    return texts[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="model folder holding tokenizer.json")
    parser.add_argument("--out", required=True, help="JSON-lines file to write")
    parser.add_argument("--count", type=int, default=2000, help="number of texts (default 2000)")
    parser.add_argument("--seed", type=int, default=5, help="corpus seed (default 5)")
    args = parser.parse_args()

    tokenizer = Tokenizer.from_file(args.model + "/tokenizer.json")
    tokenizer.no_truncation()
    tokenizer.no_padding()
    texts = corpus(args.count, args.seed)
    with open(args.out, "w", encoding="utf-8") as out:
        for text in texts:
            ids = tokenizer.encode(text).ids
            out.write(json.dumps({"text": text, "ids": ids}, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {len(texts)} lines to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
