/**
 * The demo a fresh stack starts with: the WhatsApp simulator ("Meta", with the demo
 * numbers) and the demo data seeded into the table (shared/store/seed.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEMO_TEMPLATES } from '#shared/store/demo/templates.ts';
import { repoRoot } from './paths.ts';
import type { Stoppers } from './stoppers.ts';

export const DEMO_NUMBER = {
  phoneNumberId: '100000000000001',
  displayPhone: '5511900000001',
  wabaId: '200000000000001',
  name: 'Demo',
};

/** A second demo number whose customers get a triage menu (seeded with departments and an assistant). */
export const DEMO_TRIAGE_NUMBER = {
  phoneNumberId: '100000000000002',
  displayPhone: '5511900000002',
  wabaId: '200000000000001',
  name: 'Triagem',
};

/** Starts the WhatsApp simulator on its port, unless the caller runs it (`simulator: false`). */
export async function startDemoSimulator(o: {
  simulator?: boolean;
  port: number;
  webhookUrl: string;
  whatsapp: Record<string, string>;
  dataDir: string;
  stoppers: Stoppers;
  log: (m: string) => void;
}): Promise<void> {
  const simulatorFile = join(repoRoot, 'infra/local/simulator/server.ts');
  if (o.simulator === false) {
    // The caller runs the simulator on urls.simulator.
  } else if (existsSync(simulatorFile)) {
    const { startSimulator } = (await import(pathToFileURL(simulatorFile).href)) as {
      startSimulator: (o: unknown) => Promise<{ url: string; stop(): Promise<void> }>;
    };
    const sim = await startSimulator({
      port: o.port,
      host: '127.0.0.1',
      webhookUrl: o.webhookUrl,
      appSecret: o.whatsapp.appSecret,
      accessToken: o.whatsapp.accessToken,
      phoneNumbers: [DEMO_NUMBER, DEMO_TRIAGE_NUMBER],
      templates: DEMO_TEMPLATES,
      dataDir: join(o.dataDir, 'simulator'),
    });
    o.stoppers.push(() => sim.stop());
  } else {
    o.log('warning: the WhatsApp simulator is not available');
  }
}

/** Seeds the demo data (shared/store/seed.ts); returns the demo login when it was seeded. */
export async function seedDemoData(o: {
  ddbRaw: DynamoDBClient;
  s3: S3Client;
  tableName: string;
  mediaBucket: string;
  log: (m: string) => void;
}): Promise<{ accountId?: string; email?: string; password?: string }> {
  let seeded: { accountId?: string; email?: string; password?: string } = {};
  const seedFile = join(repoRoot, 'shared/store/seed.ts');
  if (existsSync(seedFile)) {
    const { seedDemo } = (await import(pathToFileURL(seedFile).href)) as {
      seedDemo: (i: unknown) => Promise<{ accountId: string; email: string; password: string }>;
    };
    const ddb = DynamoDBDocumentClient.from(o.ddbRaw, { marshallOptions: { removeUndefinedValues: true } });
    seeded = await seedDemo({
      ddb,
      tableName: o.tableName,
      number: DEMO_NUMBER,
      triageNumber: DEMO_TRIAGE_NUMBER,
      knowledge: { s3: o.s3, mediaBucket: o.mediaBucket },
      now: Date.now(),
    });
  } else {
    o.log('warning: no demo seed available');
  }
  return seeded;
}
