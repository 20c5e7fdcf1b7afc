/**
 * The accounts' own secrets on AWS (issue 12, finding 8): each function's role reaches only
 * the account-secret kinds its grants name — fn webhook the `webhook` secrets, never the
 * `credentials` (access tokens, LLM keys); only fn api may create and put them. Of the
 * deployment's Meta secrets, fn webhook reads `whatsapp-webhook` (app secret, verify token),
 * never `whatsapp` (the access token).
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AtendeStack } from '#infra/cdk/atende-stack.ts';
import { envNames, topology } from '#infra/topology.ts';

const app = new App();
const stack = new AtendeStack(app, 'Test', { bundle: false });
const template = Template.fromStack(stack);

/** The environment of the function with this description prefix. */
function envOf(descriptionStart: string): Record<string, unknown> {
  const fns = template.findResources('AWS::Lambda::Function');
  const [, fn] = Object.entries(fns).find(([, r]) =>
    String(r.Properties.Description ?? '').startsWith(descriptionStart),
  )!;
  return fn.Properties.Environment.Variables as Record<string, unknown>;
}

/** The policy statements of the role of the function with this description prefix. */
function statementsOf(descriptionStart: string): { Action: string | string[]; Resource: unknown }[] {
  const fns = template.findResources('AWS::Lambda::Function');
  const [, fn] = Object.entries(fns).find(([, r]) =>
    String(r.Properties.Description ?? '').startsWith(descriptionStart),
  )!;
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId),
  );
  assert.equal(
    (fn.Properties.Environment.Variables as Record<string, unknown>)[envNames.accountSecretsPrefix],
    'Test',
  );
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
}
const onKind = (s: { Resource: unknown }, kind: string) =>
  JSON.stringify(s.Resource).includes(`/acc/*/${kind}-*`);
const actions = (s: { Action: string | string[] }) => [s.Action].flat();

test("fn webhook may read the accounts' webhook secrets and nothing of their credentials", () => {
  const st = statementsOf('Meta webhook');
  assert.ok(st.some((s) => onKind(s, 'webhook') && actions(s).includes('secretsmanager:GetSecretValue')));
  assert.ok(!st.some((s) => onKind(s, 'credentials')));
  assert.ok(!st.some((s) => actions(s).includes('secretsmanager:PutSecretValue')));
});

test('fn outbound reads credentials only; fn api creates and puts both kinds', () => {
  const outbound = statementsOf('The only sender');
  assert.ok(outbound.some((s) => onKind(s, 'credentials')));
  assert.ok(
    !outbound.some((s) => onKind(s, 'webhook') || actions(s).includes('secretsmanager:PutSecretValue')),
  );
  const api = statementsOf('REST API');
  for (const kind of ['webhook', 'credentials'])
    assert.ok(
      api.some(
        (s) =>
          onKind(s, kind) &&
          actions(s).includes('secretsmanager:CreateSecret') &&
          actions(s).includes('secretsmanager:PutSecretValue'),
      ),
    );
});

/** The logical id of the deployment secret declared under this name. */
function deploymentSecretId(name: keyof typeof topology.secrets): string {
  const secrets = template.findResources('AWS::SecretsManager::Secret', {
    Properties: { Description: topology.secrets[name].description },
  });
  const ids = Object.keys(secrets);
  assert.equal(ids.length, 1, name);
  return ids[0]!;
}

test("fn webhook's role reads the whatsapp-webhook secret and cannot read the whatsapp secret (the access token)", () => {
  const webhook = statementsOf('Meta webhook');
  const token = deploymentSecretId('whatsapp');
  const signing = deploymentSecretId('whatsapp-webhook');
  const reaches = (st: typeof webhook, id: string) =>
    st.some((s) => JSON.stringify(s.Resource).includes(`"${id}"`));
  assert.ok(reaches(webhook, signing));
  assert.ok(!reaches(webhook, token), 'fn webhook can read the access token');
  const env = envOf('Meta webhook');
  assert.ok(env[envNames.secretId('whatsapp-webhook')]);
  assert.equal(env[envNames.secretId('whatsapp')], undefined);
  // The functions that call Graph read the token and not the webhook's secret.
  for (const fn of ['The only sender', 'Conversation engine']) {
    assert.ok(reaches(statementsOf(fn), token), fn);
    assert.ok(!reaches(statementsOf(fn), signing), fn);
  }
});

test('the whatsapp secret keeps its first template (a changed template makes CloudFormation overwrite the value)', () => {
  const res = template.findResources('AWS::SecretsManager::Secret')[deploymentSecretId('whatsapp')]!;
  const tpl = JSON.parse(res.Properties.GenerateSecretString.SecretStringTemplate as string);
  assert.deepEqual(Object.keys(tpl).sort(), ['accessToken', 'appSecret', 'verifyToken']);
});
