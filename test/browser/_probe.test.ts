import { it } from 'vitest';
import { startTestRuntime, stopTestRuntime } from '../helpers/runtime.ts';
import { requestAndGetLink, offeredSlots } from '../helpers/journey.ts';
it('probe', async () => {
  const rt = await startTestRuntime();
  const path = await requestAndGetLink(rt);
  const res = await rt.app.inject({ url: path });
  const s = offeredSlots(res.body);
  console.log(s.slice(0, 5).map((x) => new Date(x).toISOString()));
  console.log(res.body.match(/<section class="slot-day"[\s\S]{0,600}/)?.[0]);
  console.log(res.body.match(/zone-note[\s\S]{0,300}/)?.[0]);
  await stopTestRuntime(rt);
});
