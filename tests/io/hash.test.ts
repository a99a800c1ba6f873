import assert from "node:assert/strict";
import { sha256File, sha256Hex } from "../../lib/io/mod.ts";

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
