/**
 * The web app: its S3 bucket behind CloudFront with the security headers of
 * infra/web-headers.ts, the media bucket's CORS for the app's origin, and the deployment
 * of the built SPA with its /config.json (once the APIs exist).
 * Built in the stack's own scope (see atende-stack.ts: the logical ids stay as deployed).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { contentSecurityPolicy, HSTS_MAX_AGE_SECONDS } from '../web-headers.ts';
import { ack, logicalIdOf } from './nag.ts';

export class Web {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** `https://<distribution domain>`: the web app's origin. */
  readonly url: string;
  private readonly stack: Stack;

  constructor(stack: Stack, props: { accessLogs: s3.Bucket; media: s3.Bucket }) {
    this.stack = stack;
    const { accessLogs, media } = props;
    // --- Web app: S3 + CloudFront -------------------------------------------------------
    const webBucket = new s3.Bucket(stack, 'Web', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'web/',
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    // The headers of infra/web-headers.ts (the local static server sends the same). The API,
    // WebSocket and media hosts are named by pattern: naming them exactly would make a cycle
    // (the API's CORS and the media bucket's CORS name the distribution's domain).
    const awsHosts = (service: string) => [
      `https://*.${service}.${stack.region}.amazonaws.com`,
      ...(service === 's3' ? ['https://*.s3.amazonaws.com'] : []),
    ];
    const webOrigins = {
      connect: [
        ...awsHosts('execute-api'),
        `wss://*.execute-api.${stack.region}.amazonaws.com`,
        ...awsHosts('s3'),
      ],
      media: awsHosts('s3'),
    };
    const webHeaders = new cloudfront.ResponseHeadersPolicy(stack, 'WebSecurityHeaders', {
      comment: 'Atende web app: CSP without inline script, HSTS, no framing, no referrer, nosniff',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(webOrigins), override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS),
          includeSubdomains: true,
          override: true,
        },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        contentTypeOptions: { override: true },
      },
    });
    const distribution = new cloudfront.Distribution(stack, 'WebDistribution', {
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(webBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: webHeaders,
      },
      defaultRootObject: 'index.html',
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      errorResponses: [
        { httpStatus: 403, responseHttpStatus: 200, responsePagePath: '/index.html' },
        { httpStatus: 404, responseHttpStatus: 200, responsePagePath: '/index.html' },
      ],
      enableLogging: true,
      logBucket: accessLogs,
      logFilePrefix: 'cloudfront/',
    });
    ack(
      distribution,
      'AwsSolutions-CFR1',
      'Customers of Brazilian businesses travel; no geo restriction is wanted.',
    );
    ack(
      distribution,
      'AwsSolutions-CFR2',
      'A static SPA with no server-side logic; WAF is left to the operator.',
    );
    ack(
      distribution,
      'AwsSolutions-CFR4',
      'The default CloudFront certificate is used until the operator adds a domain; TLS 1.2 is the minimum set.',
    );
    const webUrl = `https://${distribution.distributionDomainName}`;
    // Browsers upload attachments with presigned PUTs and read media with presigned GETs:
    // only from the web app.
    media.addCorsRule({
      allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET],
      allowedOrigins: [webUrl],
      allowedHeaders: ['*'],
      exposedHeaders: ['ETag'],
    });
    this.bucket = webBucket;
    this.distribution = distribution;
    this.url = webUrl;
  }

  /**
   * Copies the built SPA (web/dist, when built) into the bucket with its /config.json: the
   * SPA reads its API endpoints from there, as it does locally.
   */
  deploy(root: string, webConfig: { apiUrl: string; wsUrl: string }): void {
    const stack = this.stack;
    const webBucket = this.bucket;
    const dist = join(root, 'web', 'dist');
    const deployment = new s3deploy.BucketDeployment(stack, 'WebDeployment', {
      destinationBucket: webBucket,
      sources: [
        ...(existsSync(dist) ? [s3deploy.Source.asset(dist)] : []),
        s3deploy.Source.jsonData('config.json', webConfig),
      ],
      distribution: this.distribution,
      prune: false,
    });
    void deployment;
    ack(stack, 'AwsSolutions-L1', 'The CDK BucketDeployment helper function chooses its own runtime.');
    ack(
      stack,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'Only the CDK BucketDeployment helper uses the AWS managed basic execution policy.',
    );
    for (const finding of [
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      'Resource::*',
      `Resource::<${logicalIdOf(stack, webBucket)}.Arn>/*`,
      'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
    ]) {
      ack(
        stack,
        `AwsSolutions-IAM5[${finding}]`,
        'The CDK BucketDeployment helper copies the built SPA into the web bucket.',
      );
    }
  }
}
