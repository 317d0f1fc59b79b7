import { Server } from 'node:http';
import { Duplex } from 'node:stream';
import { problem, PROBLEM_CONTENT_TYPE } from './problem';

const STATUS_BY_CODE: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request header fields too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request timeout'],
};

/**
 * Node answers a request it cannot parse (a content-length that lies, a malformed header, headers
 * over 16 kB) with a bare `400` before Express or the exception filter see it. This answers such
 * requests with problem+json like every other error of the API.
 */
export function answerUnparsableRequests(server: Server): void {
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    // Node's own handler makes the same checks: a reset peer, or a response already under way on
    // this connection (pipelining), gets no second response written into the stream.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) return void socket.destroy();
    const [status, title] = STATUS_BY_CODE[err.code ?? ''] ?? [400, 'Bad request'];
    const body = JSON.stringify(problem(status, title, `the HTTP request could not be parsed (${err.code ?? err.message})`));
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
}
