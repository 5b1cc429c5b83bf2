// The dashboard in headless Chromium (test/browser/harness.ts: Debian's chromium driven by
// playwright-core, every request logged and anything off loopback aborted): a demo run with
// the dashboard; the page shows round 3 with the run's accuracy, opens a block and verifies an
// update record's Merkle inclusion proof in the page; a ledger of 1,000 blocks (built here, one
// hostile-looking registration each) measures first render and checks ledger text stays text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumOrSkip, launchChromium, loggedPage } from '../browser/harness.js';
import { runFederated, demoGenesis } from '../../sim/run.js';
import { withDashboard } from '../../sim/dashboard.js';
import { startDashboard } from '../../gateway/dashboard/server.js';
import { Ledger, nodeSigner, registrationTx } from '../../gateway/ledger/index.js';
import { gatewayId, gatewaySeed } from '../../gateway/cluster/setup.js';
import { tempDir } from '../support/tmp.js';
import { loadMnist } from '../../boards/data/mnist.js';
import { trainTestSplit } from '../../boards/data/split.js';
import { FirmwareInstance } from '../../boards/firmware/instance.js';
import { Kernel } from '../../boards/firmware/kernel.js';
import { decodeModel } from '../../protocol/model-blob.js';
import { referenceLayers, referenceInfer } from '../kernel-tflite-ref.js';

const HOSTILE = '<img src=x onerror=window.__xss=1><script>__xss=2</script>';

test('dashboard in headless Chromium: live rounds, a proof verified in the page, 1,000 blocks, loopback only', async (t) => {
  const exe = chromiumOrSkip(t, 'the dashboard browser test');
  if (!exe) return;
  const tmp = tempDir('dashboard-');
  const shots = mkdtempSync(join(tmpdir(), 'edgechain-dashboard-shots-')); // kept: the test's output
  const browser = await launchChromium(exe);
  try {
    await t.test('a demo run: round 3 shows the run\'s accuracy; an update record\'s proof verifies in the page', async (st) => {
      const requests: string[] = [];
      let shown: { acc: string; latest: string; verified: string | null; proofText: string; tampered: boolean; curvePoints: number; devices: number } | undefined;
      let origin = '';
      let model: Uint8Array | undefined;
      const inferred: { cls: number; scores: number[] }[] = [];
      let drawn: { cls: number; scores: number[]; pixels: number[]; label: string } | undefined;
      const held = trainTestSplit(loadMnist(), 0.2, 5).test; // the run's held-out split (seed 5)
      const DIGITS = 5;
      const run = withDashboard({ onRound: (_s, _t, m) => { model = m; } }, {
        digits: held,
        hold: async (d) => {
          origin = d.url.replace(/\/$/, '');
          const page = await loggedPage(browser, origin, requests, 15_000);
          await page.goto(d.url);
          await page.locator('#rounds tr[data-round="3"]').waitFor();
          await page.locator('#devices tr[data-device]').first().waitFor();
          await page.screenshot({ path: join(shots, 'rounds.png'), fullPage: true });
          const acc = await page.locator('#rounds tr[data-round="3"] td.acc').innerText();
          const latest = await page.locator('#latest span.acc').innerText();
          const curvePoints = await page.evaluate(() => document.getElementById('acc-line')!.getAttribute('points')!.trim().split(/\s+/).length);
          // open round 2's block (height 3: the registrations are block 1) and verify its first update record
          await page.locator('#blocks tr[data-height="3"]').click();
          await page.locator('#block table.txs').first().waitFor();
          const tx = page.locator('#block tr[data-tx]').first();
          await tx.locator('button').click();
          await tx.locator('td.proof[data-verified]').waitFor();
          const verified = await tx.locator('td.proof').getAttribute('data-verified');
          const proofText = await tx.locator('td.proof').innerText();
          // the page's verifier rejects a proof whose root is one bit off (it can fail)
          const tampered = await page.evaluate(async (h) => {
            const p = await (await fetch(`/api/proof/${h}`)).json();
            const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((x) => parseInt(x, 16)));
            const root = hex(p.txRoot); root[0] ^= 1;
            return (window as any).dashboard.verifyInclusion(hex(p.txHash), p.index, p.size, p.path.map(hex), root);
          }, (await tx.getAttribute('data-tx'))!);
          await page.screenshot({ path: join(shots, 'chain-proof.png'), fullPage: true });
          const devices = await page.locator('#devices tr[data-device]').count();
          // in-browser inference of the current model (tfjs-tflite from node_modules) on held-out digits
          await page.locator('#inference-section').waitFor();
          for (let i = 0; i < DIGITS; i++) {
            await page.locator('#digit-index').fill(String(i));
            await page.locator('#digit-run').click();
            await page.waitForFunction(() => document.querySelector('#prediction[data-class]') || document.getElementById('inference-status')!.textContent!.startsWith('✗'));
            const err = await page.locator('#inference-status').innerText();
            assert.equal(err, '', 'in-page inference failed');
            inferred.push({ cls: Number(await page.locator('#prediction').getAttribute('data-class')), scores: (await page.locator('#scores').getAttribute('data-scores'))!.split(',').map(Number) });
          }
          // a digit drawn on the pad with the mouse (a "7": a bar and a diagonal), run in the page
          const box = (await page.locator('#pad').boundingBox())!;
          const stroke = async (pts: [number, number][]) => {
            await page.mouse.move(box.x + pts[0][0] * box.width, box.y + pts[0][1] * box.height);
            await page.mouse.down();
            for (const [x, y] of pts.slice(1)) await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 8 });
            await page.mouse.up();
          };
          await stroke([[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]]);
          await page.locator('#pad-run').click();
          await page.waitForFunction(() => document.querySelector('#prediction[data-class]') || document.getElementById('inference-status')!.textContent!.startsWith('✗'));
          assert.equal(await page.locator('#inference-status').innerText(), '', 'in-page inference of the drawing failed');
          drawn = {
            cls: Number(await page.locator('#prediction').getAttribute('data-class')),
            scores: (await page.locator('#scores').getAttribute('data-scores'))!.split(',').map(Number),
            pixels: await page.evaluate(() => (window as any).dashboard.lastInput as number[]),
            label: await page.locator('#label').innerText(),
          };
          await page.screenshot({ path: join(shots, 'inference.png'), fullPage: true });
          shown = { acc, latest, verified, proofText, tampered, curvePoints, devices };
          await page.close();
        },
      });
      const r = await runFederated({ devices: 3, rounds: 3, alpha: 0.5, seed: 5, epochs: 1, roundTimeoutMs: 20_000, dataDir: join(tmp.dir, 'run') }, run.hooks);
      assert.equal(r.rounds, 3);
      assert.ok(shown, 'the page checks ran');
      const want = r.summaries[2].accuracy;
      assert.equal(typeof want, 'number');
      assert.equal(shown.acc, String(want), 'the round-3 row shows the run\'s accuracy');
      assert.equal(Number(shown.latest), want, 'the latest-round line too');
      assert.equal(shown.curvePoints, 3, 'the accuracy curve has a point per round');
      assert.equal(shown.devices, 3);
      assert.equal(shown.verified, 'true', shown.proofText);
      assert.match(shown.proofText, /verified: leaf \d+ of 4/);
      assert.equal(shown.tampered, false);
      // the page's predictions equal the firmware's; its int8 scores are TFLite's single-rounding reference
      assert.ok(model);
      const k = new Kernel(new FirmwareInstance());
      k.load(model);
      const { header, params } = decodeModel(model);
      const ref = referenceInfer(referenceLayers(header, params), held.x.subarray(0, DIGITS * 784), DIGITS, 'single');
      const fw = k.infer(held.x.subarray(0, DIGITS * 784), DIGITS);
      assert.equal(inferred.length, DIGITS);
      for (let i = 0; i < DIGITS; i++) {
        const row = Array.from(fw.subarray(i * 10, i * 10 + 10));
        const top = row.indexOf(Math.max(...row));
        assert.equal(inferred[i].cls, top, `digit ${i}: page predicts ${inferred[i].cls}, firmware ${top}`);
        assert.deepEqual(inferred[i].scores, Array.from(ref.subarray(i * 10, i * 10 + 10)), `digit ${i}: int8 scores`);
      }
      // the drawing: an MNIST-like 28×28 input (ink inside, a blank border), predicted as the firmware does
      assert.ok(drawn);
      assert.equal(drawn.label, 'drawn');
      assert.equal(drawn.pixels.length, 784);
      const px = Uint8Array.from(drawn.pixels);
      const inkAt = (x: number, y: number) => px[y * 28 + x];
      let ink = 0, mx = 0, my = 0, x0 = 28, x1 = -1, y0 = 28, y1 = -1;
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
        const v = inkAt(x, y);
        ink += v; mx += v * x; my += v * y;
        if (v > 0) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
      }
      assert.ok(ink > 255 * 40, `the drawing has ink (${ink})`);
      // MNIST's preprocessing: the ink fits a 20×20 box (± 1 px of smoothing), its centre of mass at the centre
      assert.ok(Math.max(x1 - x0, y1 - y0) + 1 <= 21 && Math.max(x1 - x0, y1 - y0) + 1 >= 19, `bounding box ${x1 - x0 + 1}×${y1 - y0 + 1}`);
      assert.ok(Math.abs(mx / ink - 13.5) <= 1 && Math.abs(my / ink - 13.5) <= 1, `centre of mass (${(mx / ink).toFixed(1)}, ${(my / ink).toFixed(1)})`);
      const fwDrawn = Array.from(k.infer(px, 1));
      assert.equal(drawn.cls, fwDrawn.indexOf(Math.max(...fwDrawn)), `drawn digit: page ${drawn.cls}, firmware ${fwDrawn}`);
      assert.deepEqual(drawn.scores, Array.from(referenceInfer(referenceLayers(header, params), px, 1, 'single')), 'drawn digit: int8 scores');
      st.diagnostic(`drawn "7" predicted ${drawn.cls}`);
      st.diagnostic(`in-page predictions ${inferred.map((x) => x.cls).join(' ')} (labels ${Array.from(held.y.subarray(0, DIGITS)).join(' ')})`);
      const outside = requests.filter((u) => !u.startsWith(origin + '/'));
      assert.deepEqual(outside, [], 'no request outside the loopback server');
      assert.ok(requests.some((u) => u.endsWith('/api/events')) && requests.some((u) => /\/api\/proof\//.test(u)));
      st.diagnostic(`screenshots in ${shots}`);
    });

    await t.test('a 4-gateway cluster: every gateway\'s head and the finality votes on its block', async (st) => {
      const requests: string[] = [];
      let origin = '';
      let ledgers: Ledger[] = [];
      let shown: { rows: { id: string; head: string; hash: string; approved: string }[]; summary: string } | undefined;
      let truth: { heights: number[]; hashes: string[]; approvals: string[] } | undefined;
      const run = withDashboard({ onGateways: (g) => { ledgers = g.ledgers; } }, {
        hold: async (d) => {
          origin = d.url.replace(/\/$/, '');
          const page = await loggedPage(browser, origin, requests, 15_000);
          await page.goto(d.url);
          await page.locator('#rounds tr[data-round="2"]').waitFor();
          // all rounds are final: wait until the panel shows every gateway at gateway 0's head
          const head = ledgers[0].height;
          await page.waitForFunction((h) => [...document.querySelectorAll('#cluster tr[data-gateway]')].filter((r) => r.getAttribute('data-head') === String(h)).length === 4, head, { timeout: 10_000 });
          shown = {
            rows: await page.locator('#cluster tr[data-gateway]').evaluateAll((rs) => rs.map((r) => ({ id: r.getAttribute('data-gateway')!, head: r.getAttribute('data-head')!, hash: r.getAttribute('data-hash')!, approved: (r as HTMLTableRowElement).cells[6].textContent! }))),
            summary: await page.locator('#cluster-summary').innerText(),
          };
          const b = await ledgers[0].block(head);
          truth = { heights: ledgers.map((l) => l.height), hashes: ledgers.map((l) => Buffer.from(l.headHash()).toString('hex')), approvals: b.approvals.map((a) => a.id) };
          await page.screenshot({ path: join(shots, 'cluster.png'), fullPage: true });
          await page.close();
        },
      });
      const r = await runFederated({ devices: 3, rounds: 2, gateways: 4, alpha: 0.5, seed: 6, epochs: 1, roundTimeoutMs: 20_000, dataDir: join(tmp.dir, 'cluster') }, run.hooks);
      assert.equal(r.rounds, 2);
      assert.ok(shown && truth, 'the page checks ran');
      assert.deepEqual(shown.rows.map((x) => x.id), ['gw-0', 'gw-1', 'gw-2', 'gw-3']);
      for (let g = 0; g < 4; g++) {
        assert.equal(Number(shown.rows[g].head), truth.heights[g], `gw-${g} head height`);
        assert.equal(shown.rows[g].hash, truth.hashes[g], `gw-${g} head hash`);
        assert.equal(shown.rows[g].approved, truth.approvals.includes(`gw-${g}`) ? 'yes' : 'no', `gw-${g} approval of the head block`);
      }
      assert.ok(truth.approvals.length >= 3, 'the head block is final: ≥ 2f+1 = 3 of 4 approvals');
      assert.match(shown.summary, new RegExp(`final with 3 approvals.*carries ${truth.approvals.length}: ${truth.approvals.join(', ')}`));
      assert.deepEqual(requests.filter((u) => !u.startsWith(origin + '/')), []);
      assert.ok(requests.some((u) => u.endsWith('/api/cluster')));
      st.diagnostic(`cluster heads ${truth.heights.join(' ')}, head approvals ${truth.approvals.join(' ')}`);
    });

    await t.test('1,000 blocks: first render of the chain, and ledger text rendered as text', async (st) => {
      const genesis = demoGenesis({ seed: 9 });
      const gw = nodeSigner(gatewayId(0), gatewaySeed(0, 9));
      const ledger = await Ledger.openMemory({ genesis });
      const t0 = Date.now();
      for (let i = 0; i < 1000; i++) {
        const dev = nodeSigner(`dev-${i}`, new Uint8Array(32).fill((i % 250) + 1));
        await ledger.append(gw, [registrationTx(gw, { id: `dev-${i}`, publicKey: dev.publicKey, profile: { categories: [HOSTILE], types: ['image/u8'], size: i } })], { engine: 'fedavg', round: 0 }, 1_700_000_000_000 + i);
      }
      st.diagnostic(`built 1,000 blocks in ${Date.now() - t0} ms`);
      assert.equal(ledger.height, 1000);
      const d = await startDashboard({ ledger });
      const requests: string[] = [];
      const origin = d.url.replace(/\/$/, '');
      const page = await loggedPage(browser, origin, requests, 15_000);
      try {
        const start = Date.now();
        await page.goto(d.url);
        await page.waitForFunction(() => (window as any).dashboard?.firstRender !== undefined);
        const wall = Date.now() - start;
        const inPage = await page.evaluate(() => (window as any).dashboard.firstRender as number);
        st.diagnostic(`first render with 1,000 blocks: ${inPage.toFixed(0)} ms after navigation start (page), ${wall} ms wall from goto`);
        assert.equal(await page.locator('#blocks tr[data-height="1000"]').count(), 1, 'the head block is listed');
        assert.equal(await page.locator('#blocks tbody tr').count(), 50, 'one page of 50 blocks, not all 1,000');
        await page.locator('#older').click();
        await page.locator('#blocks tr[data-height="901"]').waitFor();
        await page.locator('#blocks tr[data-height="1000"]').click();
        await page.locator('#block pre').first().waitFor();
        const body = await page.locator('#block pre').first().innerText();
        assert.ok(body.includes(HOSTILE), 'the hostile string is shown as text');
        assert.equal(await page.locator('#block img').count(), 0, 'and never became markup');
        assert.equal(await page.evaluate(() => (window as any).__xss), undefined);
        await page.screenshot({ path: join(shots, 'chain-1000.png'), fullPage: true });
        assert.deepEqual(requests.filter((u) => !u.startsWith(origin + '/')), []);
      } finally {
        await page.close();
        await d.close();
        await ledger.close();
      }
    });
  } finally {
    await browser.close();
    tmp.cleanup();
  }
});
