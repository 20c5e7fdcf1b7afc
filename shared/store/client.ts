/**
 * The DynamoDB client's type, for code outside shared/store that carries the client as a
 * dependency (deps objects) and hands it to store functions. Only shared/store sends
 * commands; the lint rule refuses every DynamoDB import elsewhere, types included.
 */
export type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
