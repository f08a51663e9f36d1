import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { formatGoFloat, formatGoFloatG, parseGoFloat } from "../../src/crypto/index.js";

interface Vector { bits: string; f: string; G: string; valToString: string }
const vectors = JSON.parse(readFileSync(new URL("./vectors/go-floats.json", import.meta.url), "utf8")) as Vector[];

function fromBits(bits: string): number {
  if (bits === "nan") return NaN;
  return Buffer.from(bits, "hex").readDoubleBE(0);
}

describe("formatGoFloat ('f', -1)", () => {
  it("matches the brief's examples", () => {
    expect(formatGoFloat(1.5)).toBe("1.5");
    expect(formatGoFloat(25)).toBe("25");
    expect(formatGoFloat(1e21)).toBe("1000000000000000000000");
    expect(formatGoFloat(1e-7)).toBe("0.0000001");
    expect(formatGoFloat(-0)).toBe("-0");
    expect(formatGoFloat(0)).toBe("0");
    expect(formatGoFloat(Infinity)).toBe("+Inf");
    expect(formatGoFloat(-Infinity)).toBe("-Inf");
    expect(formatGoFloat(NaN)).toBe("NaN");
    expect(formatGoFloat(1234568000)).toBe("1234568000");
    expect(formatGoFloat(-0.5)).toBe("-0.5");
  });

  it(`matches ${vectors.length} independently generated vectors`, () => {
    for (const v of vectors) expect([v.bits, formatGoFloat(fromBits(v.bits))]).toEqual([v.bits, v.f]);
  });

  it("round-trips, never uses an exponent, never ends in a zero fraction digit", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const s = formatGoFloat(x);
        expect(s).not.toMatch(/[eE]/);
        expect(s).not.toMatch(/\.\d*0$/);
        expect(Object.is(Number(s), x)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("formatGoFloatG ('G', -1, as sops ValToString)", () => {
  it("matches the brief's examples", () => {
    expect(formatGoFloatG(5)).toBe("5.0");
    expect(formatGoFloatG(1234567)).toBe("1.234567E+06");
    expect(formatGoFloatG(1e21)).toBe("1E+21");
    expect(formatGoFloatG(0.00001)).toBe("1E-05");
    expect(formatGoFloatG(123456.7)).toBe("123456.7");
    expect(formatGoFloatG(-0)).toBe("-0.0");
    expect(formatGoFloatG(Infinity)).toBe("+Inf");
    expect(formatGoFloatG(NaN)).toBe("NaN");
  });

  it(`matches ${vectors.length} independently generated vectors`, () => {
    for (const v of vectors) expect([v.bits, formatGoFloatG(fromBits(v.bits))]).toEqual([v.bits, v.valToString]);
  });

  it("round-trips", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(Object.is(Number(formatGoFloatG(x)), x)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("parseGoFloat (strconv.ParseFloat)", () => {
  it.each([
    ["1.5", 1.5], ["25", 25], ["-0", -0], ["+3", 3], ["1.", 1], [".5", 0.5], ["1e5", 1e5], ["1E+5", 1e5],
    ["2.5e-3", 0.0025], ["1_000.5", 1000.5], ["1e1_0", 1e10], ["0x1p-2", 0.25], ["0x1.8p1", 3], ["-0X_1P0", -1],
    ["0x.8p0", 0.5], ["1e-400", 0], ["+Inf", Infinity], ["inf", Infinity], ["-Infinity", -Infinity],
    ["INF", Infinity], ["1000000000000000000000", 1e21],
  ])("%s → %d", (text, value) => {
    expect(Object.is(parseGoFloat(text), value)).toBe(true);
  });

  it("accepts NaN in any case, unsigned only", () => {
    expect(parseGoFloat("NaN")).toBeNaN();
    expect(parseGoFloat("nan")).toBeNaN();
    expect(parseGoFloat("+nan")).toBeUndefined();
  });

  it.each(["", " 1", "1 ", "1e", "1e+", ".", "e5", "_1", "1_", "1__0", "1_.5", "1._5", "0x1", "0xp1", "0x", "1e400",
    "-1e400", "0x1p2000", "infin", "++1", "1,5", "١", "0b101", "True"])("rejects %j", (text) => {
    expect(parseGoFloat(text)).toBeUndefined();
  });

  it("inverts formatGoFloat and formatGoFloatG", () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        expect(Object.is(parseGoFloat(formatGoFloat(x)), x)).toBe(true);
        expect(Object.is(parseGoFloat(formatGoFloatG(x)), x)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
