// a model would go here
