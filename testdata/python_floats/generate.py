#!/usr/bin/env python3
"""Writes corpus.tsv: JSON number tokens and the text CPython gives them.

Qostiq signs str() of every value its server parsed with json.loads; pay_core::json::python must
render each token exactly as CPython does. This corpus is CPython's own answer for it, for tests
to compare against (crates/pay-core/tests/python_floats.rs reads it).

Run from anywhere with CPython 3 (written with 3.11): `python3 generate.py`. The output is
deterministic (a fixed seed) and rewritten in place.

Line format (tab-separated; `#` starts a comment line):

    token                 str(json.loads(token)) == token, json.dumps the same
    token<TAB>str         json.dumps(json.loads(token)) == str
    token<TAB>str<TAB>dumps

`token` is a JSON number as a server would send it: mostly repr(float), which is what
json.dumps writes, plus other spellings (1E2, 0.00001000, 17-digit and 25-digit forms, explicit
exponent signs, out-of-range values) and integers.
"""

import json
import math
import os
import random
import re
import struct
from fractions import Fraction

SEED = 20240610
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus.tsv")
JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")

rng = random.Random(SEED)
tokens = []  # (token, section) in output order
seen = set()


def add(token, section):
    assert JSON_NUMBER.match(token), token
    if token not in seen:
        seen.add(token)
        tokens.append((token, section))


def from_bits(bits):
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def to_bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def add_float(x, section):
    if math.isfinite(x):
        add(repr(x), section)


def is_tie(x):
    """Whether repr(x) had to choose between two equally near shortest candidates."""
    if not math.isfinite(x) or x == 0:
        return False
    text = repr(abs(x))
    mantissa, _, exponent = text.partition("e")
    digits = mantissa.replace(".", "").lstrip("0")
    frac_len = len(mantissa.partition(".")[2])
    scale = Fraction(10) ** (int(exponent or 0) - frac_len)  # value of the last digit
    if mantissa.endswith(".0"):
        return False
    exact = Fraction(abs(x))
    shown = Fraction(mantissa) * Fraction(10) ** int(exponent or 0)
    other = shown - scale if exact < shown else shown + scale
    if abs(exact - shown) != abs(exact - other) or not digits:
        return False
    # The other candidate is a real alternative only if it also reads back as x.
    return float(other) == abs(x)


# 1. Random bit patterns: every exponent, subnormals included, both signs.
for _ in range(36000):
    bits = rng.getrandbits(64)
    if (bits >> 52) & 0x7FF == 0x7FF:
        continue
    add_float(from_bits(bits), "bits")
# Random mantissas at every exponent (uniform bits under-sample none, but make sure).
for exponent in range(0, 0x7FF):
    for _ in range(4):
        bits = (exponent << 52) | rng.getrandbits(52)
        add_float(from_bits(bits), "exponents")

# 2. Computed fees and amounts: decimal amounts times rates, the shapes callbacks carry.
RATES = [0.975, 0.98, 0.985, 0.99, 0.995, 1.025, 1.015, 0.035, 0.029, 0.015, 0.06, 1.5, 0.3,
         0.1, 0.07, 1 / 3, 0.9, 0.965]
for _ in range(30000):
    magnitude = rng.choice([2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14])
    cents = rng.randrange(1, 10 ** magnitude)
    amount = cents / 100
    rate = rng.choice(RATES)
    shape = rng.randrange(6)
    if shape == 0:
        value = amount * rate
    elif shape == 1:
        value = amount - amount * (1 - rate)
    elif shape == 2:
        value = amount * rate + rng.choice([0.3, 0.5, 1.0, 10.0])
    elif shape == 3:
        value = amount / rng.choice([3, 7, 12, 100, 1000])
    elif shape == 4:
        value = round(amount * rate, 2)
    else:
        value = amount * rate * rng.choice([1, 100, 0.01, 1e6])
    add_float(value, "fees")
    if rng.randrange(4) == 0:
        add(f"{amount:.2f}", "amounts")

# 3. Ties: exact binary fractions k/2^j in 1e14..1e16 (and wider), keeping those whose shortest
#    repr is a tie, plus powers of two with a tie (2**-25 = 2.98023223876953125e-08).
ties = 0
attempts = 0
while ties < 16000 and attempts < 400000:
    attempts += 1
    j = rng.choice([1, 2, 3, 4, 5, 6, 7])
    low, high = rng.choice([(1e14, 1e15), (1e15, 1e16), (1e13, 1e14), (1e14, 1e16)])
    k = rng.randrange(int(low * 2 ** j), int(high * 2 ** j))
    x = k / 2 ** j
    if is_tie(x):
        ties += 1
        add_float(x if rng.randrange(5) else -x, "ties")
    elif rng.randrange(8) == 0:
        add_float(x, "binary-fractions")
# Ties at other magnitudes: x = k / 2**j with few enough decimal digits.
for _ in range(200000):
    j = rng.randrange(1, 40)
    k = rng.randrange(2 ** 52, 2 ** 53) | 1
    x = math.ldexp(k, -j - rng.randrange(0, 4))
    if is_tie(x):
        add_float(x, "ties-wide")
for j in range(-1074, 1024):
    x = math.ldexp(1.0, j)
    if is_tie(x):
        add_float(x, "ties-powers-of-two")

# 4. Boundaries: powers of two and ten with their neighbours, subnormals, the extremes, the
#    layout switches (1e16, 1e-4).
for j in range(-1074, 1024):
    x = math.ldexp(1.0, j)
    for y in (x, math.nextafter(x, 0), math.nextafter(x, math.inf)):
        add_float(y, "powers-of-two")
for p in range(-323, 309):
    x = float(f"1e{p}")
    for y in (x, math.nextafter(x, 0), math.nextafter(x, math.inf)):
        add_float(y, "powers-of-ten")
for m in list(range(1, 3000)) + [2 ** 52 - m for m in range(1, 1000)]:
    add_float(from_bits(m), "subnormals")
for _ in range(3000):
    add_float(from_bits(rng.randrange(1, 2 ** 52)), "subnormals")
for bits in (to_bits(2.2250738585072014e-308), to_bits(1.7976931348623157e308)):
    for delta in range(-40, 41):
        b = bits + delta
        if 0 < b < 0x7FF0000000000000:
            add_float(from_bits(b), "extremes")
for center in (1e16, 1e-4, 1e-5, 1e15, 1e17, 0.001, 1.0, 10.0, 0.1, 9007199254740992.0):
    bits = to_bits(center)
    for delta in range(-30, 31):
        add_float(from_bits(bits + delta), "layout")
        add_float(-from_bits(bits + delta), "layout")

# 5. Other spellings of the same numbers, out-of-range values, integers.
floats = [float(t) for t, _ in tokens]
for x in rng.sample(floats, 12000):
    style = rng.randrange(8)
    if style == 0:
        token = format(x, ".16e")  # 17 significant digits
    elif style == 1:
        token = format(x, ".24e")  # more digits than needed
    elif style == 2:
        token = format(x, ".12e")  # fewer: another double
    elif style == 3:
        token = repr(x).upper()  # 1E-05
    elif style == 4:
        token = repr(x).replace("e", "e+").replace("e+-", "e-")
    elif style == 5:
        token = repr(x).replace("e-0", "e-").replace("e+0", "e+")
    elif style == 6:
        text = repr(x)
        mantissa, e, exponent = text.partition("e")
        token = mantissa + "000" + e + exponent if "." in mantissa else text
    else:
        token = format(x, ".30f") if abs(x) < 1e20 else format(x, ".3e")
    if JSON_NUMBER.match(token):
        add(token, "spellings")
for token in [
    "1E2", "1e2", "1E+2", "1e-2", "0.00001000", "0.0001000", "100.000", "1.50E+01", "-0.0",
    "0.0", "0e0", "-0e0", "0E-0", "0.000", "-0.000e5", "10.50", "6.0", "6.00000", "1e16", "1e15",
    "1.0e16", "9999999999999998.0", "0.1", "0.30000000000000004", "1e400", "-1e400", "1e-400",
    "-1e-400", "1e308", "1.7976931348623157e308", "1.7976931348623158e308",
    "1.7976931348623159e308", "2.4703282292062327e-324", "2.4703282292062328e-324",
    "2.470328229206232720882538e-324", "4.9406564584124654e-324", "5e-324", "2.5e-7",
    "12345678901234567890.5", "-123.456e2", "225500917378415.125", "225500917378415.12",
    "225500917378415.13", "0.1000000000000000055511151231257827021181583404541015625",
    "123456789012345678901234567890e-20", "1" + "0" * 400, "0." + "0" * 400 + "1",
    "-2.98023223876953125e-08",
]:
    add(token, "spellings-fixed")
for token in ["0", "-0", "1", "-1", "10", "100", "123456789012345678", "-123456789012345678901234567890",
              "9007199254740993", "18446744073709551616"]:
    add(token, "integers")
for _ in range(500):
    add(str(rng.randrange(-10 ** rng.randrange(1, 40), 10 ** rng.randrange(1, 40))), "integers")

counts = {}
with open(OUT, "w", encoding="ascii", newline="\n") as out:
    out.write("# Generated by generate.py with CPython; do not edit. See generate.py for the format.\n")
    for token, section in tokens:
        counts[section] = counts.get(section, 0) + 1
        value = json.loads(token)
        text = str(value)
        dumped = json.dumps(value)
        line = token
        if text != token or dumped != text:
            line += "\t" + text
        if dumped != text:
            line += "\t" + dumped
        out.write(line + "\n")
print(len(tokens), "tokens;", ", ".join(f"{k} {v}" for k, v in counts.items()))
