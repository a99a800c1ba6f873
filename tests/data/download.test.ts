import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import AdmZip from "adm-zip";
import sharp from "sharp";
import { exists } from "../../lib/data/datasets.ts";
import { downloadFile, extractZip } from "../../lib/data/download.ts";
import { loadCoil100, loadGrocery, loadMyntraFootwear } from "../../lib/data/loaders.ts";
import { installDataset } from "../../lib/data/sources.ts";
import { fetchHfRows } from "../../lib/data/hf_rows.ts";
import { PROJECT_ROOT } from "../../lib/config/mod.ts";

async function png(rgb: [number, number, number], format: "png" | "jpeg" = "png"): Promise<Uint8Array> {
  const image = sharp({
    create: { width: 8, height: 6, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } },
  });
  return new Uint8Array(await (format === "png" ? image.png() : image.jpeg()).toBuffer());
}

function zip(files: Record<string, Uint8Array | string>): Uint8Array {
  const archive = new AdmZip();
  for (const [name, content] of Object.entries(files)) {
    // deno-lint-ignore no-explicit-any
    archive.addFile(name, (typeof content === "string" ? new TextEncoder().encode(content) : content) as any);
  }
  return new Uint8Array(archive.toBuffer());
}

interface ServerLog {
  ranges: (string | null)[];
  authorization: (string | null)[];
}

/**
 * Serve `body` at every path with HTTP Range support. The first `truncate` responses send only
 * half of what they promise and then break the connection, like a dropped download.
 */
function serve(body: Uint8Array, options: { truncate?: number; ignoreRange?: boolean } = {}) {
  const log: ServerLog = { ranges: [], authorization: [] };
  let truncations = options.truncate ?? 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const range = request.headers.get("range");
    log.ranges.push(range);
    log.authorization.push(request.headers.get("authorization"));
    let start = 0;
    let status = 200;
    const headers = new Headers({ "content-type": "application/zip", "accept-ranges": "bytes" });
    const match = range && !options.ignoreRange ? /^bytes=(\d+)-$/.exec(range) : null;
    if (match) {
      start = Number(match[1]);
      if (start >= body.length) return new Response(null, { status: 416 });
      status = 206;
      headers.set("content-range", `bytes ${start}-${body.length - 1}/${body.length}`);
    }
    const slice = new Uint8Array(body.subarray(start));
    headers.set("content-length", String(slice.length));
    if (truncations > 0) {
      truncations--;
      const half = slice.subarray(0, Math.floor(slice.length / 2));
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(half);
          // Closing early, short of the promised content-length, drops the connection.
          setTimeout(() => controller.close(), 20);
        },
      });
      return new Response(stream, { status, headers });
    }
    return new Response(slice, { status, headers });
  });
  const url = `http://127.0.0.1:${server.addr.port}/archive.zip`;
  return { server, url, log };
}

/** Deterministic, non-repeating-looking bytes. */
const bytesOf = (n: number) => Uint8Array.from({ length: n }, (_, i) => Math.imul(i + 1, 2654435761) >>> 24);

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

Deno.test("downloadFile: an interrupted transfer resumes with a Range request and is verified", async () => {
  const body = bytesOf(200_000);
  const { server, url, log } = serve(body, { truncate: 1 });
  try {
    const dest = join(await Deno.makeTempDir(), "a.zip");
    const result = await downloadFile({ url, dest, sha256: sha(body), progress: false, retryDelayMs: 1 });
    assert.equal(log.ranges.length, 2);
    assert.equal(log.ranges[0], null);
    assert.match(log.ranges[1]!, /^bytes=\d+-$/);
    assert.ok(result.resumedFrom > 0);
    assert.deepEqual(await Deno.readFile(dest), body);
    assert.equal(await exists(`${dest}.part`), false);
    // A second call finds the verified file and fetches nothing.
    const again = await downloadFile({ url, dest, sha256: sha(body), progress: false });
    assert.equal(again.cached, true);
    assert.equal(log.ranges.length, 2);
  } finally {
    await server.shutdown();
  }
});

Deno.test("downloadFile: resumes a .part left by an earlier process; restarts if Range is ignored", async () => {
  const body = bytesOf(50_000);
  const dir = await Deno.makeTempDir();
  const a = serve(body);
  try {
    await Deno.writeFile(join(dir, "a.zip.part"), body.subarray(0, 12_345));
    const result = await downloadFile({ url: a.url, dest: join(dir, "a.zip"), progress: false });
    assert.deepEqual(a.log.ranges, ["bytes=12345-"]);
    assert.equal(result.resumedFrom, 12_345);
    assert.deepEqual(await Deno.readFile(join(dir, "a.zip")), body);
  } finally {
    await a.server.shutdown();
  }
  const b = serve(body, { ignoreRange: true });
  try {
    await Deno.writeFile(join(dir, "b.zip.part"), body.subarray(0, 999));
    const result = await downloadFile({ url: b.url, dest: join(dir, "b.zip"), progress: false });
    assert.equal(result.resumedFrom, 0);
    assert.deepEqual(await Deno.readFile(join(dir, "b.zip")), body);
  } finally {
    await b.server.shutdown();
  }
});

Deno.test("downloadFile: a wrong checksum or size fails and leaves no file behind", async () => {
  const body = new TextEncoder().encode("not what you expected");
  const { server, url } = serve(body);
  try {
    const dest = join(await Deno.makeTempDir(), "c.zip");
    await assert.rejects(
      downloadFile({ url, dest, sha256: "0".repeat(64), progress: false }),
      /SHA-256 is [0-9a-f]{64}, expected 0{64}/,
    );
    assert.equal(await exists(dest), false);
    assert.equal(await exists(`${dest}.part`), false);
    await assert.rejects(downloadFile({ url, dest, expectedSize: 5, progress: false }), /expected 5/);
    await assert.rejects(
      downloadFile({ url: url.replace(/:\d+\//, ":1/"), dest, retries: 1, retryDelayMs: 1, progress: false }),
      /download failed after 2 request\(s\).*run the command again to resume/,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("extractZip refuses entries that escape the target folder", async () => {
  const dir = await Deno.makeTempDir();
  const archive = new AdmZip();
  // deno-lint-ignore no-explicit-any
  archive.addFile("ok/a.txt", new TextEncoder().encode("a") as any);
  const bytes = new Uint8Array(archive.toBuffer());
  await Deno.writeFile(join(dir, "ok.zip"), bytes);
  assert.deepEqual(await extractZip(join(dir, "ok.zip"), join(dir, "out")), ["ok/a.txt"]);
  // adm-zip sanitises names when adding, so write "zz/evil.txt" and patch it to "../evil.txt".
  const evil = new AdmZip();
  // deno-lint-ignore no-explicit-any
  evil.addFile("zz/evil.txt", new TextEncoder().encode("x") as any);
  const evilBytes = new Uint8Array(evil.toBuffer());
  const name = new TextEncoder().encode("zz/evil.txt");
  for (let i = 0; i + name.length <= evilBytes.length; i++) {
    if (name.every((b, k) => evilBytes[i + k] === b)) evilBytes.set([46, 46], i);
  }
  await Deno.writeFile(join(dir, "evil.zip"), evilBytes);
  await assert.rejects(
    extractZip(join(dir, "evil.zip"), join(dir, "out3")),
    /"\.\.\/evil\.txt" escapes the target folder/,
  );
  assert.equal(await exists(join(dir, "evil.txt")), false);
  await Deno.writeTextFile(join(dir, "bad.zip"), "garbage");
  await assert.rejects(extractZip(join(dir, "bad.zip"), join(dir, "out2")), /not a readable zip archive/);
});

Deno.test("installDataset coil100: download (interrupted, resumed), layout, labels; loader reads it", async () => {
  const files: Record<string, Uint8Array | string> = { "coil-100/convertGroupppm.tcl": "# not an image" };
  for (const o of [1, 2]) {
    for (const a of [0, 5, 10]) files[`coil-100/obj${o}__${a}.png`] = await png([o * 80, a, 0]);
  }
  const { server, url, log } = serve(zip(files), { truncate: 1 });
  try {
    const dataDir = await Deno.makeTempDir();
    const result = await installDataset("coil100", {
      dataDir,
      url,
      expectedImages: 6,
      progress: false,
      retryDelayMs: 1,
    });
    assert.equal(result.images, 6);
    assert.equal(log.ranges.length, 2, "one dropped transfer, one resumed");
    const views = await loadCoil100({ dataDir });
    assert.deepEqual(views.map((v) => `${v.objectId}/${v.angleDeg}`), [
      "1/0",
      "1/5",
      "1/10",
      "2/0",
      "2/5",
      "2/10",
    ]);
    const labels = await Deno.readTextFile(join(dataDir, "coil100", "labels.csv"));
    assert.equal(labels.split("\n")[1], "images/obj1__0.png,1,0,8,6");
    assert.equal(await exists(join(dataDir, ".downloads", "coil-100.zip")), false, "archive removed");
    const record = JSON.parse(await Deno.readTextFile(join(dataDir, "coil100", "DOWNLOAD.json")));
    assert.match(record.archive_sha256, /^[0-9a-f]{64}$/);
    // Re-running keeps the installation and fetches nothing.
    const again = await installDataset("coil100", { dataDir, url, progress: false });
    assert.equal(again.installed, false);
    assert.equal(log.ranges.length, 2);
    // A wrong count aborts before anything replaces the installed folder.
    await assert.rejects(
      installDataset("coil100", { dataDir, url, force: true, expectedImages: 7200, progress: false }),
      /holds 6 objN__A images, expected 7200/,
    );
    assert.equal((await loadCoil100({ dataDir })).length, 6);
    assert.deepEqual(
      [...Deno.readDirSync(dataDir)].map((e) => e.name).filter((n) => n.startsWith(".staging")),
      [],
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("installDataset grocery: labels from the split lists and classes.csv", async () => {
  const root = "GroceryStoreDataset-master";
  const classes = "Class Name (str),Class ID (int),Coarse Class Name (str),Coarse Class ID (int)," +
    "Iconic Image Path (str),Product Description Path (str)\n" +
    "Golden-Delicious,0,Apple,0,/iconic-images-and-descriptions/Fruit/Apple/Golden-Delicious/Golden-Delicious_Iconic.jpg," +
    "/iconic-images-and-descriptions/Fruit/Apple/Golden-Delicious/Golden-Delicious_Description.txt\n" +
    "Oatghurt,1,Oatghurt,1,/iconic-images-and-descriptions/Packages/Oatghurt/Oatghurt/Oatghurt_Iconic.jpg," +
    "/iconic-images-and-descriptions/Packages/Oatghurt/Oatghurt/Oatghurt_Description.txt\n";
  const files: Record<string, Uint8Array | string> = {
    [`${root}/LICENSE`]: "MIT",
    [`${root}/dataset/classes.csv`]: classes,
    [`${root}/dataset/train.txt`]: "train/Fruit/Apple/Golden-Delicious/Golden-Delicious_001.jpg, 0, 0\n",
    [`${root}/dataset/val.txt`]: "val/Packages/Oatghurt/Oatghurt/Oatghurt_001.jpg, 1, 1\n",
    [`${root}/dataset/train/Fruit/Apple/Golden-Delicious/Golden-Delicious_001.jpg`]: await png(
      [200, 200, 0],
      "jpeg",
    ),
    [`${root}/dataset/val/Packages/Oatghurt/Oatghurt/Oatghurt_001.jpg`]: await png([250, 250, 250], "jpeg"),
    [`${root}/dataset/iconic-images-and-descriptions/Fruit/Apple/Golden-Delicious/Golden-Delicious_Iconic.jpg`]:
      await png([1, 2, 3], "jpeg"),
    [`${root}/dataset/iconic-images-and-descriptions/Fruit/Apple/Golden-Delicious/Golden-Delicious_Description.txt`]:
      "A sweet apple.",
  };
  const { server, url } = serve(zip(files));
  try {
    const dataDir = await Deno.makeTempDir();
    const result = await installDataset("grocery_store", {
      dataDir,
      url,
      expectedImages: 2,
      progress: false,
    });
    assert.equal(result.images, 2);
    const photos = await loadGrocery({ dataDir });
    assert.deepEqual(photos.map((p) => [p.split, p.superCategory, p.fineClass, p.coarseClass]), [
      ["train", "Fruit", "Golden-Delicious", "Apple"],
      ["val", "Packages", "Oatghurt", "Oatghurt"],
    ]);
    assert.ok(
      photos[0].iconicImage.endsWith(
        "grocery_store/dataset/iconic-images-and-descriptions/Fruit/Apple/Golden-Delicious/Golden-Delicious_Iconic.jpg",
      ),
    );
    assert.equal(await Deno.readTextFile(join(dataDir, "grocery_store", "LICENSE")), "MIT");
  } finally {
    await server.shutdown();
  }
});

Deno.test("installDataset myntra_footwear: Kaggle token required, sent, and styles.csv parsed", async () => {
  const dataDir = await Deno.makeTempDir();
  const noEnv = () => undefined;
  await assert.rejects(
    installDataset("footwear", { dataDir, env: noEnv, progress: false }),
    (error: Error) => {
      assert.match(error.message, /needs an API token/);
      assert.match(error.message, /KAGGLE_USERNAME and KAGGLE_KEY/);
      assert.match(error.message, /--file/);
      return true;
    },
  );
  const styles =
    "id,gender,masterCategory,subCategory,articleType,baseColour,season,year,usage,productDisplayName\n" +
    "1,Men,Footwear,Shoes,Casual Shoes,Black,Fall,2011,Casual,Puma Men, Black Shoe\n" +
    "2,Men,Apparel,Topwear,Tshirts,Blue,Summer,2012,Casual,Nike Tee\n" +
    "3,Women,Footwear,Shoes,Heels,Red,Summer,2012,Casual,Catwalk Heels\n" +
    "4,Women,Footwear,Shoes,Flats,Red,Summer,2012,Casual,No image here\n";
  const files = {
    "myntradataset/styles.csv": styles,
    "myntradataset/images/1.jpg": await png([0, 0, 0], "jpeg"),
    "myntradataset/images/2.jpg": await png([0, 0, 255], "jpeg"),
    "myntradataset/images/3.jpg": await png([255, 0, 0], "jpeg"),
  };
  const { server, url, log } = serve(zip(files));
  try {
    const env = (name: string) =>
      ({ KAGGLE_USERNAME: "ada", KAGGLE_KEY: "secret" } as Record<string, string>)[name];
    const result = await installDataset("myntra", { dataDir, url, env, progress: false });
    assert.equal(log.authorization[0], `Basic ${btoa("ada:secret")}`);
    assert.equal(result.images, 2);
    const shoes = await loadMyntraFootwear({ dataDir });
    assert.deepEqual(shoes.map((s) => [s.id, s.articleType, s.productDisplayName]), [
      [1, "Casual Shoes", "Puma Men, Black Shoe"],
      [3, "Heels", "Catwalk Heels"],
    ]);
    const all = await Deno.readTextFile(join(dataDir, "myntra_footwear", "all_products_metadata.csv"));
    assert.equal(all.trim().split("\n").length, 5);
  } finally {
    await server.shutdown();
  }
});

Deno.test("data CLI: installs from --url, lists it, and exits 2 on a bad name", async () => {
  const files: Record<string, Uint8Array | string> = {};
  for (const a of [0, 5]) files[`coil-100/obj7__${a}.png`] = await png([10, 20, a]);
  const { server, url } = serve(zip(files));
  const dataDir = await Deno.makeTempDir();
  const cli = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(PROJECT_ROOT, "scripts", "data.ts"), ...args, "--data-dir", dataDir],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  };
  try {
    // The real source has 7,200 views; a 2-view mirror fails the count check and installs nothing.
    const short = await cli("coil100", "--url", url);
    assert.equal(short.code, 2, short.stderr);
    assert.match(short.stderr, /holds 2 objN__A images, expected 7200/);
    assert.equal(await exists(join(dataDir, "coil100")), false);
    // The verified archive stays in .downloads, so fixing the problem needs no new download.
    assert.ok(await exists(join(dataDir, ".downloads", "coil-100.zip")));
    const unknown = await cli("imagenet");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown dataset "imagenet"/);
    const list = await cli("list");
    assert.equal(list.code, 0);
    assert.match(list.stdout, /coil100\s+missing/);
  } finally {
    await server.shutdown();
  }
});

/** A stand-in for the Hugging Face dataset viewer: `/rows` pages and `/img/<id>.jpg` images. */
async function hfServer(options: { failImage?: { id: number; times: number } } = {}) {
  const products = [
    {
      id: 11,
      masterCategory: "Footwear",
      articleType: "Casual Shoes",
      productDisplayName: "Puma Men, Black Shoe",
    },
    { id: 12, masterCategory: "Apparel", articleType: "Tshirts", productDisplayName: "Tee" },
    { id: 13, masterCategory: "Footwear", articleType: "Heels", productDisplayName: "Catwalk Heels" },
    { id: 14, masterCategory: "Footwear", articleType: "Flats", productDisplayName: "Flats, red" },
    { id: 15, masterCategory: "Footwear", articleType: "Sandals", productDisplayName: "No image" },
  ];
  const images = new Map<string, Uint8Array>();
  for (const p of products) images.set(`/img/${p.id}.jpg`, await png([p.id * 10, 0, 0], "jpeg"));
  const log: string[] = [];
  let failures = options.failImage?.times ?? 0;
  let base = "";
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (
      request,
    ): Response => {
      const url = new URL(request.url);
      log.push(url.pathname);
      if (url.pathname === "/rows") {
        assert.equal(url.searchParams.get("dataset"), "ashraq/fashion-product-images-small");
        const offset = Number(url.searchParams.get("offset"));
        const length = Number(url.searchParams.get("length"));
        const rows = products.slice(offset, offset + length).map((p, k) => ({
          row_idx: offset + k,
          row: {
            ...p,
            gender: "Men",
            subCategory: "Shoes",
            baseColour: "Black",
            season: "Fall",
            year: 2012,
            usage: "Casual",
            image: p.id === 15 ? null : { src: `${base}/img/${p.id}.jpg`, height: 6, width: 8 },
          },
          truncated_cells: [],
        }));
        return Response.json({
          rows,
          num_rows_total: products.length,
          num_rows_per_page: length,
          partial: false,
        });
      }
      const image = images.get(url.pathname);
      if (!image) return new Response("not found", { status: 404 });
      if (failures > 0 && url.pathname === `/img/${options.failImage!.id}.jpg`) {
        failures--;
        return new Response("busy", { status: 503 });
      }
      return new Response(new Uint8Array(image), { headers: { "content-length": String(image.length) } });
    },
  );
  base = `http://127.0.0.1:${server.addr.port}`;
  return { server, endpoint: base, log };
}

Deno.test("fetchHfRows pages through the rows API in order", async () => {
  const { server, endpoint, log } = await hfServer();
  try {
    const rows = await fetchHfRows({ endpoint, pageSize: 2 });
    assert.deepEqual(rows.map((r) => r.id), [11, 12, 13, 14, 15]);
    assert.equal(log.filter((p) => p === "/rows").length, 3);
  } finally {
    await server.shutdown();
  }
});

Deno.test("installDataset myntra_footwear --source hf: no account, resumable, loader reads it", async () => {
  // Image 13 answers 503 eight times: more than one run's retries (1 + 5), fewer than two runs'.
  const { server, endpoint, log } = await hfServer({ failImage: { id: 13, times: 8 } });
  try {
    const dataDir = await Deno.makeTempDir();
    const common = { dataDir, source: "hf" as const, url: endpoint, progress: false, retryDelayMs: 1 };
    await assert.rejects(
      installDataset("myntra_footwear", common),
      /1 footwear image\(s\) failed, e\.g\. 13: .*HTTP 503.*run the command again/,
    );
    assert.equal(await exists(join(dataDir, "myntra_footwear")), false, "nothing installed half-way");
    const before = log.filter((p) => p.startsWith("/img/")).length;
    const result = await installDataset("myntra_footwear", common);
    assert.equal(result.images, 3);
    assert.deepEqual(
      [...new Set(log.filter((p) => p.startsWith("/img/")).slice(before))],
      ["/img/13.jpg"],
      "the second run fetches only the failed image",
    );
    const shoes = await loadMyntraFootwear({ dataDir });
    assert.deepEqual(shoes.map((s) => [s.id, s.articleType, s.productDisplayName]), [
      [11, "Casual Shoes", "Puma Men, Black Shoe"],
      [13, "Heels", "Catwalk Heels"],
      [14, "Flats", "Flats, red"],
    ]);
    const all = await Deno.readTextFile(join(dataDir, "myntra_footwear", "all_products_metadata.csv"));
    assert.equal(all.trim().split("\n").length, 6);
    await assert.rejects(
      installDataset("coil100", { dataDir, source: "hf", progress: false }),
      /only for myntra_footwear/,
    );
  } finally {
    await server.shutdown();
  }
});
