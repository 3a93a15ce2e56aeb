import { bypass, HttpResponse, http, passthrough } from 'msw';
import type { SetupServer } from 'msw/node';
import { motoUrl } from './moto.js';

/** One intercepted EC2 Query-API call: its action and form parameters. */
export interface Ec2Call {
  /** `RunInstances`, `DescribeInstances`... */
  action: string;
  /** The form parameters. */
  parameters: URLSearchParams;
  /** The intercepted request (clone it before reading). */
  request: Request;
}

/** What a script answers: a response, or undefined to let the call through to moto. */
export type Ec2Script = (call: Ec2Call) => Promise<Response | undefined> | Response | undefined;

/**
 * Installs an msw handler in front of moto that hands every EC2 call to `script`; calls it declines go through
 * unchanged. Every call (scripted or not) is recorded in the returned list.
 */
export function scriptEc2(server: SetupServer, script: Ec2Script): Ec2Call[] {
  const calls: Ec2Call[] = [];
  server.use(
    http.post(`${motoUrl}/`, async ({ request }) => {
      const parameters = new URLSearchParams(await request.clone().text());
      const call: Ec2Call = { action: parameters.get('Action') ?? '', parameters, request };
      calls.push(call);
      const answer = await script(call);
      return answer ?? passthrough();
    }),
  );
  return calls;
}

/** An EC2 error response in the Query-API XML shape. */
export function ec2Error(code: string, status: number, message = `${code} (scripted)`): Response {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>scripted-request</RequestID></Response>`;
  return new HttpResponse(body, { status, headers: { 'content-type': 'text/xml;charset=UTF-8' } });
}

/** A failure before any response: the connection is reset. */
export function connectionReset(): Response {
  return HttpResponse.error();
}

/** Sends the call to moto (so it takes effect) and returns moto's response. */
export function forwardToMoto(call: Ec2Call): Promise<Response> {
  return fetch(bypass(call.request));
}

/**
 * Lets the call take effect on moto, then loses the response (the connection is reset): what a client sees when EC2
 * made the instance but the answer never arrived.
 */
export async function loseResponse(call: Ec2Call): Promise<Response> {
  await forwardToMoto(call);
  return connectionReset();
}

/** moto's answer to a `DescribeInstances` with every running instance rewritten as pending (stuck in pending). */
export async function describeAsPending(call: Ec2Call): Promise<Response> {
  const response = await forwardToMoto(call);
  const body = (await response.text())
    .replaceAll('<code>16</code>', '<code>0</code>')
    .replaceAll('<name>running</name>', '<name>pending</name>');
  return new Response(body, { status: response.status, headers: { 'content-type': 'text/xml' } });
}

/**
 * Responses held open (an EC2 that never answers), for deadlines and aborts. `releaseAll` answers every held one with
 * a connection reset; call it after each test so no handler is left waiting.
 */
export function createHeldResponses(): { hold(): Promise<Response>; releaseAll(): void } {
  let releases: Array<() => void> = [];
  return {
    hold: () => new Promise((resolve) => releases.push(() => resolve(connectionReset()))),
    releaseAll() {
      for (const release of releases) release();
      releases = [];
    },
  };
}
