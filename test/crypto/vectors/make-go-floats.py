"""Writes go-floats.json: independent expectations for Go's FormatFloat(x,'f',-1,64) and ('G',-1,64).

Python's repr() gives the shortest round-trip digits (as Go's shortest mode does); Decimal lays them
out without an exponent. Run: python3 make-go-floats.py > go-floats.json
"""
import json, math, random, struct
from decimal import Decimal

def go_f(x):
    if math.isnan(x): return "NaN"
    if math.isinf(x): return "+Inf" if x > 0 else "-Inf"
    if x == 0: return "-0" if math.copysign(1, x) < 0 else "0"
    return format(Decimal(repr(x)).normalize(), "f")

def go_g(x):
    """Go 'G' shortest: %E when exp < -4 or exp >= 6 (exp = decimal exponent of the leading digit)."""
    if math.isnan(x) or math.isinf(x) or x == 0: return go_f(x)
    sign, digits, exponent = Decimal(repr(x)).normalize().as_tuple()
    ds = "".join(map(str, digits))
    exp = len(ds) + exponent - 1
    s = "-" if sign else ""
    if exp < -4 or exp >= 6:
        mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        return f"{s}{mant}E{'-' if exp < 0 else '+'}{abs(exp):02d}"
    return go_f(x)

rng = random.Random(20260522)
xs = [0.0, -0.0, 1.5, 25.0, 1e21, 1e-7, 1234568000.0, 0.1 + 0.2, 5e-324, 1.7976931348623157e308,
      123456.7, 1234567.0, 0.00001, 0.0001, 100000.0, 1000000.0, 2.5e-5, -3.25, 1e100, 1e-100,
      float("inf"), float("-inf"), float("nan"), 9007199254740993.0, 0.000123456789]
for _ in range(300):
    xs.append(struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0])
for _ in range(200):
    xs.append(round(rng.uniform(-1e7, 1e7), rng.randint(0, 8)))
out = []
for x in xs:
    if math.isnan(x) and out and out[-1]["bits"] == "nan": continue
    bits = "nan" if math.isnan(x) else struct.pack(">d", x).hex()
    g = go_g(x)
    # sops ValToString: FormatFloat(x,'f',1,64) when 'G' output could be read as an integer
    val = g if ("." in g or "E" in g or not math.isfinite(x)) else g + ".0"
    out.append({"bits": bits, "f": go_f(x), "G": g, "valToString": val})
print(json.dumps(out, indent=0))
