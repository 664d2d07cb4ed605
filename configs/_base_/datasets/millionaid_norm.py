# MillionAID's RGB mean / std (0-255; (0.338, 0.361, 0.335) / (0.136, 0.135, 0.141) x 255): the
# normalisation of CMID pretraining, and so of every model fine-tuned from a CMID checkpoint.
millionaid_mean = [86.19, 92.055, 85.425]
millionaid_std = [34.68, 34.425, 35.955]
