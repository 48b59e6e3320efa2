/** The launcher side of the product: the demo that runs the studio and a worker together. */
@org.jspecify.annotations.NullMarked
module org.studioworker.dist {
  requires static org.jspecify;
  requires org.studioworker.spi;
  requires org.studioworker.runtime;
  requires org.studioworker.devstudio;
}
