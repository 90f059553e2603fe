import type { SerializedResultSink } from '../graphql/plugins/shared-subscription-execution';

/**
 * graphql-transport-ws `next` frames from a result serialized once for many subscribers: the
 * bytes graphql-ws itself would send (`{"id":<id>,"type":"next","payload":<result>}`, the id as
 * JSON), built per socket from the shared payload bytes with one allocation and one copy.
 *
 * Nothing is written once graphql-ws no longer holds the subscription (the client completed it,
 * or the socket closed). One small object per subscription: the id, the connection, its head.
 */
export class NextFrameSink implements SerializedResultSink {
  private readonly head: string;
  private readonly headBytes: number;

  constructor(
    private readonly id: string,
    private readonly session: { subscriptions: Record<string, unknown>; extra: { sendNow(frame: Buffer): void } },
  ) {
    this.head = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
    this.headBytes = Buffer.byteLength(this.head);
  }

  next(serializedResult: Buffer): void {
    // graphql-ws' context: `subscriptions` holds the ids it runs (replaced by an empty one on close).
    if (!(this.id in this.session.subscriptions)) return;
    const frame = Buffer.allocUnsafe(this.headBytes + serializedResult.length + 1);
    frame.write(this.head, 0, 'utf8');
    serializedResult.copy(frame, this.headBytes);
    frame[frame.length - 1] = 0x7d; // }
    this.session.extra.sendNow(frame);
  }
}
