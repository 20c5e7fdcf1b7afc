/**
 * CDK entry point (`npx cdk synth` / `npx cdk deploy`). Environment-agnostic: no
 * lookups, so synth works offline without AWS credentials. cdk-nag's AwsSolutions
 * checks run on every synth; an unacknowledged error fails it.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AtendeStack } from './atende-stack.ts';

const app = new App();
new AtendeStack(app, process.env.ATENDE_STACK_NAME ?? 'Atende', {
  description: 'Atende: WhatsApp customer service (inbox, routing, assistant)',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
