import { Body, Controller, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { TaskClientService } from '../client/task-client.service';
import { BatchItem } from '../client/task-client';
import { ErrorCode, TasklogError } from '../common/errors';
import { JsonBodyGuard } from './json-body.guard';
import { ApiProblems } from './problem.schemas';
import { BatchBodyDto } from './request.dtos';
import { TenantScoped } from './tenant-scoped.decorator';
import { statusForCode } from './problem.filter';
import { BatchBody, EnqueueBody, parseInput } from './request.schemas';
import { taskView } from './task.view';
import { Tenant } from './tenant';

type ItemAnswer = { index: number; status: number; task?: ReturnType<typeof taskView>; error?: Record<string, unknown> };

/**
 * `POST /v1/tasks/batch {items: [...], atomic?}`: up to 1,000 enqueues in one Kafka transaction.
 * 202 with one answer per item, in order: `{index, status: 202, task}` or `{index, status, error}`.
 * With `atomic: true`, one bad item refuses the batch (400 listing every item's error).
 */
@ApiTags('tasks')
@Controller('v1/tasks/batch')
@TenantScoped()
export class BatchController {
  constructor(private readonly client: TaskClientService) {}

  @Post()
  @HttpCode(202)
  @RequireScope('write')
  @UseGuards(JsonBodyGuard)
  @ApiBody({ type: BatchBodyDto })
  @ApiAcceptedResponse({ description: '{ accepted, failed, items: [{ index, status, task | error }] }' })
  @ApiProblems(413, 415)
  async enqueue(@Body() body: unknown, @Tenant() tenantId: string, @Headers('traceparent') traceparent?: string) {
    const { items, atomic } = parseInput(BatchBody, body, 'batch');
    const answers: ItemAnswer[] = [];
    const valid: { index: number; item: BatchItem }[] = [];
    items.forEach((raw, index) => {
      try {
        const { type, payload, ...options } = parseInput(EnqueueBody, raw, `item ${index}`);
        valid.push({
          index,
          item: { type, payload: payload ?? null, options: { ...options, traceparent: options.traceparent ?? traceparent } },
        });
      } catch (e) {
        answers.push(this.failure(index, e as TasklogError));
      }
    });
    if (atomic && answers.length) {
      throw new TasklogError(ErrorCode.INVALID_INPUT, `batch refused: ${answers.length} of ${items.length} items are invalid (atomic)`, {
        items: answers,
      });
    }
    const results = await this.client
      .enqueueBatch(
        valid.map((v) => v.item),
        { tenantId, atomic },
      )
      .catch((e: unknown) => {
        // An atomic refusal from the client counts items among the valid ones: give their request indexes.
        const details = (e as TasklogError).details;
        const refused = details?.items as { index: number; error: { code: ErrorCode } }[] | undefined;
        if (details && refused) {
          details.items = refused.map((r) => ({ index: valid[r.index].index, status: statusForCode(r.error.code), error: r.error }));
        }
        throw e;
      });
    for (const r of results) {
      const index = valid[r.index].index;
      answers.push(r.ok ? { index, status: 202, task: taskView(r.task) } : { index, status: statusForCode(r.error.code), error: r.error });
    }
    answers.sort((a, b) => a.index - b.index);
    const accepted = answers.filter((a) => a.status === 202).length;
    return { accepted, failed: answers.length - accepted, items: answers };
  }

  private failure(index: number, e: TasklogError): ItemAnswer {
    return { index, status: statusForCode(e.code), error: { code: e.code, message: e.message, ...(e.details ?? {}) } };
  }
}
