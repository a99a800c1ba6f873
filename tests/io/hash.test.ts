import assert from "node:assert/strict";
import { sha256File, sha256Hex, sha256Parts, sha256PartsSync } from "../../lib/io/mod.ts";

Deno.test("sha256Hex matches the FIPS 180-2 test vectors", async () => {
  assert.equal(
    await sha256Hex(new TextEncoder().encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    await sha256Hex(new Uint8Array(0)),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
});

Deno.test("sha256File streams a multi-chunk file to the same digest as sha256Hex of its bytes", async () => {
  const dir = await Deno.makeTempDir();
  const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31 + 7) & 0xff);
  await Deno.writeFile(`${dir}/blob.bin`, bytes);
  assert.equal(await sha256File(`${dir}/blob.bin`), await sha256Hex(bytes));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("sha256Parts hashes text, bytes and files one after another, as one concatenated input", async () => {
  const dir = await Deno.makeTempDir();
  const bytes = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 13 + 5) & 0xff);
  await Deno.writeFile(`${dir}/w.bin`, bytes);
  const text = new TextEncoder().encode("model.json");
  const all = new Uint8Array(text.length + bytes.length + 2);
  all.set(text);
  all.set(bytes, text.length);
  all.set(new TextEncoder().encode("é"), text.length + bytes.length);
  assert.equal(await sha256Parts(["model.json", { file: `${dir}/w.bin` }, "é"]), await sha256Hex(all));
  assert.equal(sha256PartsSync(["model.json", bytes, "é"]), await sha256Hex(all));
  assert.equal(await sha256Parts([]), await sha256Hex(new Uint8Array(0)));
  // No separators: the caller puts names between files where order alone would be ambiguous.
  assert.equal(await sha256Parts(["ab", "c"]), await sha256Parts(["a", "bc"]));
  await assert.rejects(() => sha256Parts([{ file: `${dir}/missing.bin` }]), Deno.errors.NotFound);
  await Deno.remove(dir, { recursive: true });
});
