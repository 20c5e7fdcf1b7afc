/**
 * The APIs in front of the functions: the WebSocket API and its stage (created before the
 * functions: they need its endpoint), then the HTTP API (CORS for the web app's origin)
 * and both APIs' routes from the topology, their access logs and API Gateway throttling.
 * Built in the stack's own scope (see atende-stack.ts: the logical ids stay as deployed).
 */
import { CfnParameter, Duration, type Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { topology, type FunctionName } from '../topology.ts';
import { ack } from './nag.ts';

/**
 * API Gateway throttling per stage (requests per second, burst), in front of the
 * functions' own limits (login's per-e-mail and per-IP limiter): a flood is answered 429
 * by API Gateway before it costs a Lambda invocation. The WebSocket figure is for agents'
 * connects and pings.
 *
 * The HTTP stage's figures are deploy-time parameters (`HttpThrottleRate`,
 * `HttpThrottleBurst`). Their defaults are the account's default Regional API Gateway quota
 * (10,000 requests/s, burst 5,000): API Gateway's guide says a stage's limit cannot exceed
 * the account's, so a higher default would be refused or meaningless on a new account.
 * docs/capacity.md sizes 10,000 customer messages/s across a deployment at 50,000
 * requests/s (each message one webhook POST, its reply's three statuses, the agent's reply
 * one API request): a deployment of that size raises the quota (Service Quotas) and then
 * passes the parameters (HTTP_THROTTLE_AT_CAPACITY).
 */
export const API_THROTTLING = {
  http: { rateLimit: 10_000, burstLimit: 5_000 },
  ws: { rateLimit: 100, burstLimit: 200 },
} as const;

/** The HTTP stage's figures docs/capacity.md sizes for 10,000 customer messages/s. */
export const HTTP_THROTTLE_AT_CAPACITY = { rateLimit: 50_000, burstLimit: 100_000 } as const;

export class Apis {
  readonly wsApi: apigwv2.WebSocketApi;
  readonly wsStage: apigwv2.WebSocketStage;
  private readonly stack: Stack;

  constructor(stack: Stack) {
    this.stack = stack;
    // --- WebSocket API (created before the functions: they need its endpoint) ---------
    this.wsApi = new apigwv2.WebSocketApi(stack, 'WebSocketApi', {
      routeSelectionExpression: '$request.body.action',
    });
    this.wsStage = new apigwv2.WebSocketStage(stack, 'WebSocketStage', {
      webSocketApi: this.wsApi,
      stageName: 'live',
      autoDeploy: true,
      throttle: API_THROTTLING.ws,
    });
  }

  /** The HTTP API with the topology's routes, answering CORS for the web app's origin only. */
  addHttpApi(functions: Record<FunctionName, lambda.Function>, webUrl: string): apigwv2.HttpApi {
    const stack = this.stack;
    // --- HTTP API ---------------------------------------------------------------------
    const httpApi = new apigwv2.HttpApi(stack, 'HttpApi', {
      corsPreflight: {
        allowOrigins: [webUrl],
        allowHeaders: ['authorization', 'content-type'],
        allowMethods: [apigwv2.CorsHttpMethod.ANY],
        // The login page reads Retry-After of a throttled login (429).
        exposeHeaders: ['retry-after'],
        allowCredentials: true,
        maxAge: Duration.minutes(10),
      },
    });
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of topology.httpRoutes) {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${route.function}-integration`, functions[route.function]);
        integrations.set(route.function, integration);
      }
      httpApi.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration,
      });
    }
    const httpLogs = new logs.LogGroup(stack, 'HttpApiAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
    });
    // `npx cdk deploy --parameters HttpThrottleRate=… --parameters HttpThrottleBurst=…`;
    // later deploys keep the values unless given others.
    const throttleRate = new CfnParameter(stack, 'HttpThrottleRate', {
      type: 'Number',
      default: API_THROTTLING.http.rateLimit,
      minValue: 1,
      description:
        'HTTP API stage throttle: steady requests/s (webhook POSTs, statuses and the agents’ API calls; docs/capacity.md)',
    });
    const throttleBurst = new CfnParameter(stack, 'HttpThrottleBurst', {
      type: 'Number',
      default: API_THROTTLING.http.burstLimit,
      minValue: 1,
      description: 'HTTP API stage throttle: burst (token bucket size, requests)',
    });
    const defaultStage = httpApi.defaultStage!.node.defaultChild as apigwv2.CfnStage;
    defaultStage.defaultRouteSettings = {
      throttlingRateLimit: throttleRate.valueAsNumber,
      throttlingBurstLimit: throttleBurst.valueAsNumber,
    };
    defaultStage.accessLogSettings = {
      destinationArn: httpLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latency: '$context.responseLatency',
      }),
    };
    ack(
      httpApi,
      'AwsSolutions-APIG4',
      'Authorization is done in the functions: JWT for /api (tenant from the token), Meta’s X-Hub-Signature-256 for the webhook.',
    );
    return httpApi;
  }

  /** The WebSocket API's routes from the topology, and its stage's access logs. */
  addWebSocketRoutes(functions: Record<FunctionName, lambda.Function>): void {
    const { stack, wsApi, wsStage } = this;
    // --- WebSocket routes -------------------------------------------------------------
    for (const route of topology.wsRoutes) {
      wsApi.addRoute(route.route, {
        integration: new WebSocketLambdaIntegration(
          `ws${route.route.replace('$', '-')}`,
          functions[route.function],
        ),
        ...(route.route === '$default' ? { returnResponse: true } : {}),
      });
    }
    ack(
      wsApi,
      'AwsSolutions-APIG4',
      'The $connect function verifies the agent’s JWT before accepting a connection.',
    );
    const wsLogs = new logs.LogGroup(stack, 'WebSocketAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
    });
    (wsStage.node.defaultChild as apigwv2.CfnStage).accessLogSettings = {
      destinationArn: wsLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        connectionId: '$context.connectionId',
      }),
    };
  }
}
