#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// The comparison case of 'make bench' (scripts/bench): what a user of the
// official Stripe Node SDK writes to export charges, i.e. its
// auto-pagination (one list request at a time, limit 100), each charge
// written as one NDJSON line.  Pointed at the local Stripe API double.
//
//   node scripts/bench-sdk.mjs --sdk DIR --port N --key KEY --out FILE
//
// DIR is the folder whose node_modules holds the 'stripe' package
// (scripts/bench installs it into a cache folder outside the repository).
// Prints one JSON line: {"objects":N,"seconds":S,"sdk_version":"..."}.
import { createRequire } from 'node:module';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';

function usage(msg) {
    if (msg) {
        process.stderr.write(`bench-sdk: ${msg}\n`);
    }
    process.stderr.write(
        'usage: node scripts/bench-sdk.mjs --sdk DIR --port N --key KEY --out FILE\n');
    process.exit(2);
}

const opts = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    if (name === '-h' || name === '--help') {
        usage();
    }
    if (!['--sdk', '--port', '--key', '--out'].includes(name) ||
        argv[i + 1] === undefined) {
        usage(`bad argument '${name}'`);
    }
    opts[name.slice(2)] = argv[i + 1];
}
for (const k of ['sdk', 'port', 'key', 'out']) {
    if (!opts[k]) {
        usage(`--${k} is required`);
    }
}

// Resolve 'stripe' from the cache folder, not from the repository.
const require = createRequire(path.join(path.resolve(opts.sdk), 'noop.js'));
const Stripe = require('stripe');
const sdkVersion = Stripe.PACKAGE_VERSION;

// The options of the installed version (stripe.core: ALLOWED_CONFIG_PROPERTIES):
// host, port and protocol send every request to the double over plain HTTP
// (a keep-alive agent is the SDK's default).  Retries stay at the default.
const stripe = new Stripe(opts.key, {
    host: '127.0.0.1',
    port: Number(opts.port),
    protocol: 'http',
});

const out = fs.createWriteStream(opts.out);
let objects = 0;
const t0 = performance.now();
for await (const charge of stripe.charges.list({ limit: 100 })) {
    if (!out.write(JSON.stringify(charge) + '\n')) {
        await once(out, 'drain');
    }
    objects++;
}
await new Promise((resolve, reject) => {
    out.on('error', reject);
    out.end(resolve);
});
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(JSON.stringify({ objects, seconds, sdk_version: sdkVersion }) + '\n');
