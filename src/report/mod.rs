//! Reports: an outcome and its expectation results as text, JSON or Graphviz.
