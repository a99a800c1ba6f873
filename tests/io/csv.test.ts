import assert from "node:assert/strict";
import { csvFormatRows, csvParseRows } from "d3-dsv";
import { csvField, parseCsv, parseCsvLines, parseCsvRecords, toCsv } from "../../lib/io/csv.ts";

Deno.test("toCsv: header from the keys in first-seen order, empty cells, final newline", () => {
  assert.equal(toCsv([{ a: 1 }, { b: 2 }]), "a,b\n1,\n,2\n");
  assert.equal(toCsv([{ a: 1, b: 2 }], ["b"]), "b\n2\n");
  assert.equal(toCsv([{ a: null, b: undefined, c: "" }]), "a,b,c\n,,\n");
  assert.equal(toCsv([], ["x", "y"]), "x,y\n");
  assert.equal(toCsv([]), "\n");
  assert.equal(
    toCsv([{ n: 0.1 + 0.2, z: -0, t: true, nan: NaN }]),
    "n,z,t,nan\n0.30000000000000004,0,true,NaN\n",
  );
});

Deno.test("toCsv quotes a field holding a quote, comma, LF or CR (RFC 4180), header included", () => {
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField("a,b"), '"a,b"');
  assert.equal(csvField("two\nlines"), '"two\nlines"');
  assert.equal(csvField("cr\r"), '"cr\r"');
  assert.equal(csvField("semi;colon and space "), "semi;colon and space ");
  assert.equal(csvField(null), "");
  assert.equal(csvField(undefined), "");
  assert.equal(toCsv([{ "a,b": 'x"y' }]), '"a,b"\n"x""y"\n');
});

Deno.test("toCsv writes objects, arrays and dates as JSON (the committed results' cells)", () => {
  assert.equal(csvField({ x: 1 }), '"{""x"":1}"');
  assert.equal(csvField([1, 2]), '"[1,2]"');
  assert.equal(csvField(new Date(Date.UTC(2026, 0, 2))), '"""2026-01-02T00:00:00.000Z"""');
  assert.equal(toCsv([{ options: { eps: 0.05 } }]), 'options\n"{""eps"":0.05}"\n');
});

Deno.test("parseCsvLines: quoted commas, doubled quotes and newlines; each record's starting line", () => {
  const text = 'id,title\n1,"Shoe, black"\n2,"say ""hi"""\n3,"two\nlines"\n4,x\n';
  assert.deepEqual(parseCsvLines(text), [
    { fields: ["id", "title"], line: 1 },
    { fields: ["1", "Shoe, black"], line: 2 },
    { fields: ["2", 'say "hi"'], line: 3 },
    { fields: ["3", "two\nlines"], line: 4 },
    { fields: ["4", "x"], line: 6 },
  ]);
});

Deno.test("parseCsvLines: CRLF, lone CR, blank lines (skipped but counted), no final newline", () => {
  assert.deepEqual(parseCsvLines("a,b\r\n1,2\r\n\r\n3,4"), [
    { fields: ["a", "b"], line: 1 },
    { fields: ["1", "2"], line: 2 },
    { fields: ["3", "4"], line: 4 },
  ]);
  assert.deepEqual(parseCsvLines("a\r1\r"), [{ fields: ["a"], line: 1 }, { fields: ["1"], line: 2 }]);
  // A quoted CRLF is one line break; the field keeps it as written.
  assert.deepEqual(parseCsvLines('a\n"x\r\ny"\nz\n'), [
    { fields: ["a"], line: 1 },
    { fields: ["x\r\ny"], line: 2 },
    { fields: ["z"], line: 4 },
  ]);
  assert.deepEqual(parseCsvLines("\n\n a , b \n"), [{ fields: [" a ", " b "], line: 3 }]);
  assert.deepEqual(parseCsvLines("a,,\n"), [{ fields: ["a", "", ""], line: 1 }]);
  assert.deepEqual(parseCsvLines(""), []);
  assert.deepEqual(parseCsvLines("\n"), []);
});

Deno.test("parseCsvLines drops a UTF-8 byte-order mark, also before a quoted first field", () => {
  assert.deepEqual(parseCsvRecords("\ufeffitem_id,image\n1,a.png\n"), [["item_id", "image"], ["1", "a.png"]]);
  assert.deepEqual(parseCsvRecords('\ufeff"item_id",image\n'), [["item_id", "image"]]);
  // Only a leading one: elsewhere U+FEFF is data.
  assert.deepEqual(parseCsvRecords("a\n\ufeffb\n"), [["a"], ["\ufeffb"]]);
});

Deno.test("parseCsvLines: text ending inside a quoted field is an error naming the line it opened on", () => {
  assert.throws(
    () => parseCsvLines('item_id,image\n1,"a.png\n'),
    /ends inside a quoted field \(opened on line 2\)/,
  );
  assert.throws(() => parseCsvLines('"'), /opened on line 1/);
  assert.throws(() => parseCsvLines('a,"x""'), /opened on line 1/);
  // The quote opens on the record's third line, after a quoted field that spans two.
  assert.throws(() => parseCsvLines('h\n1,"x\ny","open\nmore'), /opened on line 3\)/);
  assert.throws(() => parseCsvLines('h\n1,"x\ny",\n"open\nmore'), /opened on line 4\)/);
  // A file whose last field is quoted and closed is fine.
  assert.deepEqual(parseCsvRecords('a,"b"'), [["a", "b"]]);
});

Deno.test("parseCsv: objects keyed by the header; a record with the wrong field count names source and record", () => {
  const text = '\ufeffa,b\r\n1,"x, ""y""\nz"\r\n2,\n';
  assert.deepEqual(parseCsv(text), [{ a: "1", b: 'x, "y"\nz' }, { a: "2", b: "" }]);
  assert.deepEqual(parseCsv(toCsv(parseCsv(text), ["a", "b"])), parseCsv(text));
  assert.deepEqual(parseCsv(""), []);
  assert.deepEqual(parseCsv("a,b\n"), []);
  assert.throws(
    () => parseCsv("a,b\n1,2,3\n", "labels.csv"),
    /labels.csv: record 2 has 3 fields, the header has 2/,
  );
});

Deno.test("parseCsvLines reads what d3-dsv writes, with lines counted through quoted newlines (random tables)", () => {
  let state = 7;
  // High bits of the LCG: its low bits cycle with a short period.
  const rand = (n: number) => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 8) % n;
  const alphabet = ["a", "b", ",", '"', "\n", "\r\n", " ", "é", ";"];
  for (let trial = 0; trial < 500; trial++) {
    const rows = Array.from(
      { length: 1 + rand(5) },
      () =>
        Array.from(
          { length: 1 + rand(4) },
          () => Array.from({ length: rand(6) }, () => alphabet[rand(alphabet.length)]).join(""),
        ),
    );
    const text = csvFormatRows(rows) + (rand(2) ? "\n" : "");
    const ours = parseCsvLines(text);
    const blank = (row: string[]) => row.length === 1 && row[0] === "";
    assert.deepEqual(ours.map((r) => r.fields), rows.filter((row) => !blank(row)), JSON.stringify(text));
    assert.deepEqual(ours.map((r) => r.fields), csvParseRows(text).filter((row) => !blank(row)));
    let line = 1;
    const expected: number[] = [];
    for (const row of rows) {
      if (!blank(row)) expected.push(line);
      line += 1 + row.join("").split("\n").length - 1;
    }
    assert.deepEqual(ours.map((r) => r.line), expected, JSON.stringify(text));
    // The same table through toCsv reads back the same (toCsv's header is the first row here).
    const keyed = rows.map((row) => Object.fromEntries(row.map((v, k) => [`c${k}`, v])));
    const columns = Array.from({ length: Math.max(...rows.map((r) => r.length)) }, (_, k) => `c${k}`);
    const back = parseCsvRecords(toCsv(keyed, columns)).slice(1);
    const padded = rows.map((row) => columns.map((_, k) => row[k] ?? "")).filter((row) => !blank(row));
    assert.deepEqual(back, padded, JSON.stringify(rows));
  }
});
