/** L1 binding: resource `qianfan_apaas_sync_schedule` (providers/qianfan/resources/apaas_sync_schedule.ts). */
import { TerraformResource, type Construct, type TerraformMetaArguments } from '../framework';
import { GENERATOR_METADATA, metaArguments } from './source';

export interface ApaasSyncScheduleConfig extends TerraformMetaArguments {
  readonly tenantId: string;
  readonly cron: string;
  /** @default "Asia/Shanghai" */
  readonly timeZone?: string;
  /** @default "incremental" */
  readonly mode?: 'full' | 'incremental';
  /** @default true */
  readonly enabled?: boolean;
}

export class ApaasSyncSchedule extends TerraformResource {
  static readonly tfResourceType = 'qianfan_apaas_sync_schedule';

  constructor(
    scope: Construct,
    id: string,
    private readonly config: ApaasSyncScheduleConfig,
  ) {
    super(scope, id, {
      terraformResourceType: ApaasSyncSchedule.tfResourceType,
      terraformGeneratorMetadata: GENERATOR_METADATA,
      ...metaArguments(config),
    });
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    const c = this.config;
    return { tenant_id: c.tenantId, cron: c.cron, time_zone: c.timeZone, mode: c.mode, enabled: c.enabled };
  }
}
