/**
 * The llama-cpp engine: llm jobs ({@code modelSource.engine = llama-cpp}) through a managed
 * llama.cpp {@code llama-server}.
 *
 * <h2>Finding llama-server</h2>
 *
 * The first executable of: {@code $STUDIO_WORKER_LLAMA_SERVER}, {@code
 * <models_root>/bin/llama-server}, {@code ~/.local/bin/llama-server}, then each folder of {@code
 * PATH}, looked up again for every job. Not found: the job fails (retryable) with the list of
 * places looked at.
 *
 * <h2>The server</h2>
 *
 * Started for a job as {@code llama-server -m <model> --host 127.0.0.1 --port <free port> [-c
 * <cliDefaults.contextSize>] [--mmproj <text-encoder-vision file>]}, then {@code GET /health} is
 * polled until it answers 200 (10 minutes at most, each poll 5 s at most, body included; a server
 * that exits first fails the job with its last output line). It stays loaded for the following jobs
 * with the same files and context size, is restarted for different ones or when it died, and is
 * stopped after 10 idle minutes ({@code STUDIO_WORKER_LLAMA_IDLE_SECS}) and on close. Stopping
 * stops its whole process tree. While it is alive, {@code Executor.residentVramGb()} reports the
 * {@code vramGbEstimate} of the claim that started it (the studio's figure for the model, not a
 * measurement), so the runtime admits the next job of that model; 0 once it stopped or died.
 *
 * <h2>The request</h2>
 *
 * {@code POST /v1/chat/completions} with {@code model} (the claim's model id), {@code messages}
 * ({@code system} first when the task has one), {@code stream:false}, {@code max_tokens}, {@code
 * temperature}, {@code top_p} and {@code stop} when given, and:
 *
 * <ul>
 *   <li>{@code jsonSchema} → {@code response_format: {"type":"json_schema","json_schema":
 *       {"name":"result","schema":<schema>}}}, the OpenAI form, which llama-server turns into a
 *       grammar (its own top-level {@code json_schema} field would work too, but the OpenAI form
 *       keeps the request portable);
 *   <li>{@code chatTemplateKwargs} (or the model's {@code cliDefaults.chatTemplateKwargs} when the
 *       task has none) → {@code chat_template_kwargs};
 *   <li>{@code reasoning} → llama-server's {@code reasoning_effort}: {@code {"effort":"low"}} or
 *       {@code "low"} gives {@code low}; {@code false} or {@code {"enabled":false}} gives {@code
 *       none}, which turns thinking off; any other shape is left out with a warning in the job's
 *       log. The server's default reasoning format stays, so thinking comes back in {@code
 *       reasoning_content}, apart from the answer.
 * </ul>
 *
 * Non-object {@code jsonSchema} or {@code chatTemplateKwargs} values are left out with a warning.
 * The reply (16 MiB at most) is returned as the job's JSON result as it came, once checked to be a
 * JSON object; the runtime validates it again. An HTTP error fails the job (retryable) with the
 * status and the first 200 characters of the body. A completion may take 30 minutes ({@code
 * STUDIO_WORKER_LLAMA_TIMEOUT_SECS}), counted for the whole exchange, the reply's body included (a
 * request timeout covers only the wait for the headers); past it the job fails (retryable). A
 * cancelled or timed-out job closes its request, which tells the server to stop generating, and
 * keeps the server loaded. The client speaks HTTP/1.1 only: llama-server has no use for an {@code
 * h2c} upgrade offer.
 *
 * <h2>Streaming</h2>
 *
 * {@code Executor.stream} sends the same request with {@code stream:true} and {@code
 * stream_options: {"include_usage":true}} (so that the last chunk carries the token counts), and
 * reads the server-sent events line by line as they come: each {@code data:} event is a {@code
 * chat.completion.chunk} whose {@code choices[0].delta.content} goes to the caller's {@code
 * ChatStream} at once; {@code data: [DONE]} ends it. The job's result is a {@code chat.completion}
 * assembled from the chunks, in the shape of the reply that is not streamed: {@code id}, {@code
 * created} and {@code model} of the chunks, one choice with the concatenated {@code content} (and
 * {@code reasoning_content} when the server sent any) and the last {@code finish_reason}, and
 * {@code usage} and {@code timings} when the server sent them. Nothing else is held: a line (or an
 * event) of the stream is 1 MiB at most and the answer's text 16 MiB; past either, a malformed
 * chunk, an {@code error} event, or a stream that ends before {@code [DONE]} or a finish reason
 * fails the job with a message that says which. When the caller's {@code ChatStream} throws (the
 * reader went away) the exchange is closed at once, which stops the generation, and the job fails
 * with "the caller went away: …". Cancellation and the job timeout, watched every 250 ms from a
 * virtual thread of their own while the job thread reads, close the exchange the same way; the
 * server stays loaded.
 *
 * <p>JSON is written and read by two small classes of this package: a plugin brings no library.
 */
package org.studioworker.executors.llamacpp;
