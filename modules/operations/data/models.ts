/**
 * Operations' Objection models. One base model for the module, bound to the
 * module's own Knex per app (`bindModels`), never to a global Knex.
 */
import type { Knex } from 'knex';
import { Model, snakeCaseMappers } from 'objection';

class OperationsModel extends Model {
  static override get columnNameMappers() {
    return snakeCaseMappers();
  }
}

export class Publisher extends OperationsModel {
  static override tableName = 'publishers';
  id!: string;
  name!: string;
  contactEmail!: string;
  country!: string;
  revenueShareBps!: number;
  status!: 'active' | 'suspended';
  version!: number;
  createdAt!: string;
  updatedAt!: string;

  static override jsonSchema = {
    type: 'object',
    required: ['id', 'name', 'contactEmail', 'country', 'revenueShareBps', 'status', 'version'],
    properties: {
      revenueShareBps: { type: 'integer', minimum: 0, maximum: 10_000 },
      status: { enum: ['active', 'suspended'] },
      version: { type: 'integer', minimum: 1 },
    },
  };
}

export class App extends OperationsModel {
  static override tableName = 'apps';
  id!: string;
  publisherId!: string;
  name!: string;
  platform!: 'android' | 'ios' | 'web';
  bundleId!: string;
  createdAt!: string;

  static override jsonSchema = {
    type: 'object',
    required: ['id', 'publisherId', 'name', 'platform', 'bundleId'],
    properties: { platform: { enum: ['android', 'ios', 'web'] } },
  };
}

export class AdUnit extends OperationsModel {
  static override tableName = 'ad_units';
  id!: string;
  appId!: string;
  name!: string;
  format!: 'native' | 'banner' | 'interstitial' | 'rewarded';
  floorCpmMicros!: number | string;
  createdAt!: string;

  static override jsonSchema = {
    type: 'object',
    required: ['id', 'appId', 'name', 'format'],
    properties: { format: { enum: ['native', 'banner', 'interstitial', 'rewarded'] } },
  };
}

/** The models bound to one app's Operations database. */
export function bindModels(knex: Knex) {
  return { Publisher: Publisher.bindKnex(knex), App: App.bindKnex(knex), AdUnit: AdUnit.bindKnex(knex) };
}

export type OperationsModels = ReturnType<typeof bindModels>;
