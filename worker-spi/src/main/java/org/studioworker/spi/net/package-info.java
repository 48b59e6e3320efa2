/**
 * Reading HTTP bodies with bounds: a body stream that gives up when the server stops sending and
 * refuses more bytes than a cap, for the runtime and for engines that download inputs.
 *
 * <p>JDK types only ({@code java.util.concurrent.Flow}), like the rest of the plugin API: a caller
 * on {@code java.net.http} subscribes it to the publisher of {@code BodyHandlers.ofPublisher()}.
 */
package org.studioworker.spi.net;
