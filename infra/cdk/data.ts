/**
 * What the stack keeps: the table (with the topology's indexes), the media bucket and the
 * access-log bucket, and the deployment's secrets (the keys the operator fills in).
 * Built in the stack's own scope (see atende-stack.ts: the logical ids stay as deployed).
 */
import { Aws, CfnCondition, CfnParameter, Duration, Fn, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { topology, type SecretName } from '../topology.ts';
import { ack } from './nag.ts';

/**
 * CloudFormation generates a new value whenever a secret's template changes, which would
 * wipe what the operator filled in: a secret keeps the template it was first deployed
 * with. `whatsapp` held the app secret and verify token before they moved to
 * `whatsapp-webhook` (which fn webhook reads instead); those two fields of it are no
 * longer read.
 */
const FIRST_TEMPLATE_KEYS: Partial<Record<SecretName, string[]>> = {
  whatsapp: ['accessToken', 'appSecret', 'verifyToken'],
};

export class Data {
  readonly table: dynamodb.Table;
  readonly accessLogs: s3.Bucket;
  readonly media: s3.Bucket;
  readonly secrets = {} as Record<SecretName, secretsmanager.Secret>;

  constructor(stack: Stack) {
    // --- Table -----------------------------------------------------------------------
    const t = topology.table;
    const table = new dynamodb.Table(stack, 'Table', {
      partitionKey: { name: t.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: t.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: t.ttlAttribute,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const ix of t.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: ix.name,
        partitionKey: { name: `${ix.name}pk`, type: dynamodb.AttributeType.STRING },
        sortKey: { name: `${ix.name}sk`, type: dynamodb.AttributeType.STRING },
        projectionType:
          ix.projection === 'KEYS_ONLY' ? dynamodb.ProjectionType.KEYS_ONLY : dynamodb.ProjectionType.ALL,
      });
    }
    // Pre-warming (docs/capacity.md): a new on-demand table (and index) serves 4,000 write
    // and 12,000 read units/s at once and scales past that by itself over time; before a
    // launch above it, `--parameters TableWarmWriteUnits=… --parameters TableWarmReadUnits=…`
    // warms the table and each index (give both, at or above DescribeTable's current warm
    // values). Left at these defaults, warm throughput is not set. Pre-warming is billed,
    // and a warm value once raised is not lowered.
    const warmWrites = new CfnParameter(stack, 'TableWarmWriteUnits', {
      type: 'Number',
      default: 4000,
      minValue: 4000,
      description:
        'Pre-warm the table and each index to this many write units/s (4000, a new table’s own: not pre-warmed)',
    });
    const warmReads = new CfnParameter(stack, 'TableWarmReadUnits', {
      type: 'Number',
      default: 12000,
      minValue: 12000,
      description:
        'Pre-warm the table and each index to this many read units/s (12000, a new table’s own: not pre-warmed)',
    });
    const warmGiven = new CfnCondition(stack, 'TableWarmGiven', {
      expression: Fn.conditionOr(
        Fn.conditionNot(Fn.conditionEquals(warmWrites.valueAsString, '4000')),
        Fn.conditionNot(Fn.conditionEquals(warmReads.valueAsString, '12000')),
      ),
    });
    const warm = Fn.conditionIf(
      warmGiven.logicalId,
      { ReadUnitsPerSecond: warmReads.valueAsNumber, WriteUnitsPerSecond: warmWrites.valueAsNumber },
      Aws.NO_VALUE,
    );
    const cfnTable = table.node.defaultChild as dynamodb.CfnTable;
    cfnTable.addPropertyOverride('WarmThroughput', warm);
    t.indexes.forEach((_, i) =>
      cfnTable.addPropertyOverride(`GlobalSecondaryIndexes.${i}.WarmThroughput`, warm),
    );
    this.table = table;

    // --- Buckets ----------------------------------------------------------------------
    const accessLogs = new s3.Bucket(stack, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    ack(accessLogs, 'AwsSolutions-S1', 'This is the access-log bucket; logging it to itself would loop.');
    this.accessLogs = accessLogs;
    this.media = new s3.Bucket(stack, 'Media', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'media/',
      // CORS: only the web app's origin (added by web.ts, once the distribution exists).
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // --- Secrets ----------------------------------------------------------------------
    for (const [name, def] of Object.entries(topology.secrets) as [
      SecretName,
      (typeof topology.secrets)[SecretName],
    ][]) {
      const generated = def.keys.includes('jwtSecret') ? 'jwtSecret' : undefined;
      const template = Object.fromEntries(
        (FIRST_TEMPLATE_KEYS[name] ?? def.keys).filter((k) => k !== generated).map((k) => [k, '']),
      );
      const secret = new secretsmanager.Secret(stack, `${name}-secret`, {
        description: def.description,
        generateSecretString: {
          secretStringTemplate: JSON.stringify(template),
          generateStringKey: generated ?? '_generated',
          passwordLength: 48,
          excludePunctuation: true,
        },
      });
      ack(
        secret,
        'AwsSolutions-SMG4',
        'Meta and OpenAI credentials are rotated by their owners in those consoles; the JWT key is rotated by redeploying.',
      );
      this.secrets[name] = secret;
    }
  }
}
