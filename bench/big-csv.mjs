// A large CSV for the loading benchmark, written to a temporary file (never committed): seeded
// rows of a customer-like table (numbers, a decimal with missing values, two text categories, a
// date, a yes/no label) until the file reaches the asked size.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

export async function writeBigCsv(path, bytes) {
  let state = 20261207;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const regions = ['north', 'south', 'east', 'west', 'central'];
  const plans = ['basic', 'plus', 'pro'];
  const out = createWriteStream(path);
  let written = 0;
  let rows = 0;
  const header = 'customer_id,age,monthly_spend,visits,region,plan,signup_date,tenure_months,churned\n';
  out.write(header);
  written += header.length;
  while (written < bytes) {
    const lines = [];
    for (let i = 0; i < 2000; i++, rows++) {
      const age = 18 + Math.floor(uniform() * 60);
      const spend = uniform() < 0.02 ? 'NA' : (20 + uniform() * 180).toFixed(2);
      const visits = Math.floor(uniform() * 40);
      const month = String(1 + Math.floor(uniform() * 12)).padStart(2, '0');
      const day = String(1 + Math.floor(uniform() * 28)).padStart(2, '0');
      const date = `${2015 + Math.floor(uniform() * 9)}-${month}-${day}`;
      const tenure = Math.floor(uniform() * 120);
      const churned = uniform() < 0.2 + visits / 200 ? 'yes' : 'no';
      lines.push(
        `C${100000 + rows},${age},${spend},${visits},${regions[Math.floor(uniform() * 5)]},${plans[Math.floor(uniform() * 3)]},${date},${tenure},${churned}`,
      );
    }
    const chunk = `${lines.join('\n')}\n`;
    written += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { path, bytes: written, rows };
}
