package core

// LeafCount is how many data-plane certificates are cached, for the memory
// bound's test.
func (s *Server) LeafCount() int { return s.leafs.len() }
