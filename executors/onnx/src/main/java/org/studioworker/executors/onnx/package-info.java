/**
 * The onnx engine: LaMa object removal (the studio's Find-the-Differences edits) on ONNX Runtime.
 *
 * <p>{@link org.studioworker.executors.onnx.OnnxExecutorProvider} loads the runtime once per
 * process ({@code OrtHost}); {@code OnnxExecutor} downloads the init image and the mask, decodes
 * them by content ({@code Images}), runs the pipeline of {@code Inpainting} around one model pass
 * ({@code LamaSession}, cached per model file) and encodes the result as PNG or lossless WebP.
 */
@org.jspecify.annotations.NullMarked
package org.studioworker.executors.onnx;
