import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP proxy in front of moto that throttles the first EC2 calls of one action. */
export interface Ec2ThrottlingProxy {
  /** `http://127.0.0.1:PORT`, the endpoint to give the AWS driver. */
  url: string;
  /** Throttles the next `count` calls of `action` (`RunInstances`) with EC2's `RequestLimitExceeded` (503). */
  throttle(action: string, count: number): void;
  /** The EC2 actions seen, in order, with whether each was throttled. */
  calls: Array<{ action: string; throttled: boolean }>;
  close(): Promise<void>;
}

/**
 * Starts the proxy. It forwards with `fetch` (undici), which the HTTP instrumentation under test does not see, so
 * the only HTTP client spans in a test are the AWS SDK's own.
 */
export async function startEc2ThrottlingProxy(motoUrl: string): Promise<Ec2ThrottlingProxy> {
  const budget = new Map<string, number>();
  const calls: Ec2ThrottlingProxy['calls'] = [];
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const action = new URLSearchParams(body.toString()).get('Action') ?? '';
    const left = budget.get(action) ?? 0;
    calls.push({ action, throttled: left > 0 });
    if (left > 0) {
      budget.set(action, left - 1);
      response.writeHead(503, { 'content-type': 'text/xml;charset=UTF-8' });
      response.end(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code>' +
          '<Message>Request limit exceeded.</Message></Error></Errors><RequestID>proxy</RequestID></Response>',
      );
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers.set(name, value);
    }
    const answer = await fetch(`${motoUrl}${request.url ?? '/'}`, {
      method: request.method ?? 'POST',
      headers,
      ...(body.length > 0 ? { body } : {}),
    });
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/xml' });
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    throttle: (action, count) => budget.set(action, count),
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
