/**
 * Reading HTTP bodies with bounds: a body stream that gives up when the server stops sending and
 * refuses more bytes than a cap, for the runtime and for engines that download inputs; and {@link
 * org.studioworker.spi.net.InputDownloads}, the downloader of a job's input files built on it.
 *
 * <p>JDK types only, like the rest of the plugin API: {@code BodyStream} needs only {@code
 * java.util.concurrent.Flow} (a caller on {@code java.net.http} subscribes it to the publisher of
 * {@code BodyHandlers.ofPublisher()}); {@code InputDownloads} uses the JDK's {@code HttpClient}.
 */
package org.studioworker.spi.net;
