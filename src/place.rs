//! Placement (阳光入学).
