/** The synthetic engine: deterministic, real files, no model. For CI and the demo. */
@org.jspecify.annotations.NullMarked
module org.studioworker.executors.synthetic {
  requires static org.jspecify;
  requires org.studioworker.spi;

  provides org.studioworker.spi.ExecutorProvider with
      org.studioworker.executors.synthetic.SyntheticExecutorProvider;
}
